"""The stored statuses and dialog steps (storage/status.py): they fit their columns, each
dialog's states are its own, and the migration that named "unreachable" goes both ways."""
from datetime import datetime, timezone

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from core.delivery import UNREACHABLE_FREE_ONLY
from storage import repo
from storage.db import alembic_config
from storage.models import Broadcast, Delivery, DialogState, Pledge
from storage.status import BroadcastStatus, BroadcastStep, DeliveryStatus, PledgeStatus, PledgeStep

NOW = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)


def test_every_status_and_step_fits_its_column():
    for values, column in [(DeliveryStatus, Delivery.status), (PledgeStatus, Pledge.status),
                           (BroadcastStatus, Broadcast.status), (PledgeStep, DialogState.state),
                           (BroadcastStep, DialogState.state)]:
        assert max(len(v) for v in values) <= column.type.length, values


def test_a_dialog_state_names_a_step_of_one_dialog_only():
    assert not set(PledgeStep) & set(BroadcastStep)
    assert BroadcastStep.of("broadcast_confirm") is BroadcastStep.CONFIRM
    assert PledgeStep.of("broadcast_confirm") is None and BroadcastStep.of("pledge_confirm") is None
    assert BroadcastStep.of(None) is None and BroadcastStep.of("broadcast_") is None  # no prefix matching


async def _statuses(storage) -> list[tuple[str, str]]:
    async with storage.session() as s:
        return [tuple(r) for r in await s.execute(text("SELECT reason, status FROM deliveries ORDER BY id"))]


async def _migrate(storage, step, revision: str) -> None:
    async with storage.engine.begin() as connection:
        await connection.run_sync(lambda c: step(alembic_config(c), revision))


async def test_skipped_deliveries_become_unreachable_and_back(any_storage):
    async with any_storage.engine.connect() as connection:
        scripts = ScriptDirectory.from_config(alembic_config(connection))
    (rename,) = [r for r in scripts.walk_revisions() if r.path.endswith("_deliveries_unreachable.py")]
    async with any_storage.session() as s, s.begin():  # rows as the bot stored them before the rename
        resident = (await repo.touch_chat(s, "zalo", "1", None, "vi", NOW))[0]
        for key, status, reason in [("reminder:2023-10-01", "skipped", "-230: no recent interaction"),
                                    ("reminder:2023-10-02", "skipped", UNREACHABLE_FREE_ONLY),
                                    ("reminder:2023-10-03", "sent", None)]:
            await repo.record_delivery(s, key, resident.id, status, reason, "old", NOW)
    await _migrate(any_storage, command.downgrade, rename.down_revision)
    await _migrate(any_storage, command.upgrade, rename.revision)
    renamed = [("-230: no recent interaction", "unreachable"), (UNREACHABLE_FREE_ONLY, "unreachable"), (None, "sent")]
    assert await _statuses(any_storage) == renamed
    await _migrate(any_storage, command.downgrade, rename.down_revision)
    assert await _statuses(any_storage) == [(r, "skipped" if s == "unreachable" else s) for r, s in renamed]
    await _migrate(any_storage, command.upgrade, "head")
    assert await _statuses(any_storage) == renamed
    async with any_storage.session() as s:
        assert await repo.unreachable_reasons(s) == {"-230: no recent interaction": 1, UNREACHABLE_FREE_ONLY: 1}

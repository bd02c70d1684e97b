"""The chats a process talks to are kept in memory: questions cost no database work, and the
copy never runs ahead of, or stays long behind, what the database holds."""
import pytest
from sqlalchemy import event, select, update

from conftest import Chat, fail_after
from storage import repo
from storage.chats import REFRESH_EVERY
from storage.models import DialogState, Resident


@pytest.fixture
def statements(storage):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())
    event.listen(storage.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(storage.engine.sync_engine, "before_cursor_execute", record)


async def resident(storage, user: str = "u1") -> Resident:
    async with storage.session() as s:
        return (await s.execute(select(Resident).where(Resident.external_id == user))).scalar_one()


async def test_a_question_after_the_first_message_touches_no_database(chat, statements):
    await chat.one("/start")
    assert "INSERT" in statements  # the first message records the resident
    statements.clear()
    assert "khai mạc" in (await chat.one("khai mạc ở đâu")).text.lower()
    await chat.one("/lich")
    assert statements == []


async def test_last_seen_and_a_new_name_are_recorded(assistant, chat, storage, clock):
    await chat.one("/start")
    first = (await resident(storage)).last_seen
    clock.advance(seconds=REFRESH_EVERY.total_seconds() - 1)
    await chat.one("/lich")
    assert (await resident(storage)).last_seen == first  # within the refresh: not written
    clock.advance(seconds=1)
    await chat.one("/lich")
    assert (await resident(storage)).last_seen == clock.now()
    renamed = Chat(assistant, name="Lan Nguyễn")
    await renamed.one("/lich")
    assert (await resident(storage)).name == "Lan Nguyễn"


async def test_a_dialog_step_is_kept_and_written_behind(chat, storage, statements):
    await chat.say("/ungho")
    statements.clear()
    replies = await chat.say("200k")  # the cached step says: the amount is what is asked
    assert "200.000" in replies[0].text
    assert statements == []  # the step came from memory, the new one is written behind
    await storage.dialogs.flush()
    assert statements.count("INSERT") == 1
    async with storage.session() as s:
        (dialog,) = (await s.execute(select(DialogState))).scalars()
    assert dialog.data["amount"] == 200_000


async def test_a_failed_message_leaves_no_copy_ahead_of_the_database(chat, storage, monkeypatch):
    await chat.one("/start")
    await fail_after(monkeypatch, chat, lambda ctx: repo.set_subscribed(ctx.session, ctx.resident, True, ctx.now))
    assert not (await resident(storage)).subscribed  # rolled back
    reply = await chat.one("/menu")
    assert "menu:subscribe" in [b.payload for b in reply.buttons]  # not the cached "subscribed"


async def test_subscribing_reads_what_another_process_changed(chat, storage):
    await chat.one("/nhacnho")
    async with storage.session() as s, s.begin():  # e.g. a fan-out in another process found them blocked
        await s.execute(update(Resident).values(subscribed=False))
    reply = await chat.one("/nhacnho")
    assert "nhận nhắc rồi" not in reply.text  # not "you are already subscribed"
    assert (await resident(storage)).subscribed

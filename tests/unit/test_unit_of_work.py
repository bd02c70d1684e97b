"""One unit of work per message (storage/unit.py), with dialog steps written behind
(storage/dialogs.py): a kill -9 may lose a step, never money, and never leaves a wrong step;
a rolled-back message changes nothing, here or in the database. SQLite and PostgreSQL."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from conftest import Chat, fail_after
from core.delivery import Outcome, Result
from storage.status import PledgeStep
from handlers.router import Assistant
from storage import repo
from storage.db import Storage
from storage.dialogs import DialogWriter
from storage.models import DialogState, Pledge, Resident

STAFF = ("console", "staff")
NOW = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def bot(week, any_storage, clock):
    return Assistant(week, any_storage, clock, admins=frozenset({STAFF}))


def killed(storage: Storage) -> None:
    """What a kill -9 does to the steps not yet written: they are gone (the writer's task stops
    where it is, its pending steps with it)."""
    writer = storage.dialogs
    if writer._task is not None:
        writer._task.cancel()
    writer._pending.clear()
    storage.dialogs = DialogWriter(storage.engine)


async def stored_dialog(url: str) -> DialogState | None:
    """The resident's dialog as another process sees it in the database."""
    other = Storage(url)
    try:
        async with other.session() as s:
            return (await s.execute(select(DialogState))).scalar_one_or_none()
    finally:
        await other.close()


async def test_a_step_lost_at_a_kill_leaves_the_resident_at_the_step_before(bot, any_storage, db_url, week, clock):
    resident = Chat(bot)
    assert (await resident.one("/ungho")).topic == "pledge_amount"
    await any_storage.dialogs.flush()  # this step reached the database
    assert (await resident.one("500k")).topic == "pledge_name"  # this one is still in memory...
    killed(any_storage)  # ...when the process is killed
    assert (await stored_dialog(db_url)).state == PledgeStep.AMOUNT

    restarted = Chat(Assistant(week, any_storage, clock))  # a new process: nothing in memory
    reply = await restarted.one("Lan")  # the name it was asked for, read as an answer to the amount
    assert reply.topic == "pledge_amount_invalid"  # the amount is asked again
    assert (await restarted.one("500k")).topic == "pledge_name"


async def test_confirm_after_the_summary_was_lost_asks_the_step_the_database_holds(bot, any_storage, db_url, week,
                                                                                    clock):
    resident = Chat(bot)
    await resident.say("/ungho 200k")
    await resident.say(payload="pledge:anonymous")
    await any_storage.dialogs.flush()  # at the phone step in the database
    summary = (await resident.say(payload="pledge:skip_phone"))[-1]
    killed(any_storage)  # the summary step was still in memory
    confirm = next(b.payload for b in summary.buttons if b.payload.startswith("pledge:confirm"))

    restarted = Chat(Assistant(week, any_storage, clock))
    reply = await restarted.one(payload=confirm)  # the Confirm under the summary it saw before the kill
    assert reply.topic == "pledge_phone"  # asked again where it stands: nothing recorded, no dead end
    assert await count_pledges(db_url) == 0
    assert (await restarted.say(payload="pledge:skip_phone"))[-1].topic == "pledge_confirm"


@pytest.mark.parametrize("leave", [{"text": "hủy"}, {"payload": "pledge:cancel"}, {"payload": "pledge:edit:name"}])
async def test_leaving_a_summary_is_written_at_once_so_a_kill_cannot_bring_it_back(bot, any_storage, db_url, week,
                                                                                    clock, leave):
    """At the summary one word records a pledge: cancelling it, or going back to edit it, must not
    sit in memory where a kill would leave the summary in the database for the next "xác nhận"."""
    resident = Chat(bot)
    await resident.say("/ungho 200k")
    await resident.say(payload="pledge:anonymous")
    await resident.say(payload="pledge:skip_phone")
    await any_storage.dialogs.flush()  # the summary step is in the database
    await resident.say(**leave)
    killed(any_storage)

    after = await Chat(Assistant(week, any_storage, clock)).say("xác nhận")
    assert after[0].topic != "pledge_done" and await count_pledges(db_url) == 0


async def test_a_cancelled_notice_stays_cancelled_after_a_kill(bot, any_storage, week, clock):
    staff = Chat(bot, user=STAFF[1])
    await staff.say("/thongbao")
    assert (await staff.one("Họp tổ dân phố tối nay")).topic == "broadcast_confirm"
    await any_storage.dialogs.flush()  # the preview step is in the database
    await staff.say(payload="broadcast:cancel")
    killed(any_storage)

    again = Chat(Assistant(week, any_storage, clock, admins=frozenset({STAFF})), user=STAFF[1])
    assert (await again.one(payload="broadcast:send")).topic != "broadcast_started"


async def test_a_confirmed_pledge_is_committed_before_its_reply_and_the_staff_notice(bot, any_storage, db_url):
    pledges_when_notified = []

    async def staff_channel(user_id, replies):
        pledges_when_notified.append(await count_pledges(db_url))
        return Result(Outcome.SENT)
    bot.senders.add("console", staff_channel)
    resident = Chat(bot)
    any_storage.dialogs.window = 60  # every step still in memory, none written
    await resident.say("/ungho 200k")
    await resident.say(payload="pledge:anonymous")
    await resident.say(payload="pledge:skip_phone")
    assert await stored_dialog(db_url) is None

    replies = await resident.say("xác nhận")
    assert replies[0].topic == "pledge_done"
    assert await count_pledges(db_url) == 1  # seen by another process: committed
    assert pledges_when_notified == [1]
    await any_storage.dialogs.flush()  # nothing older is left to write over the claimed step
    assert await stored_dialog(db_url) is None


async def count_pledges(url: str) -> int:
    other = Storage(url)
    try:
        async with other.session() as s:
            return len((await s.execute(select(Pledge))).scalars().all())
    finally:
        await other.close()


async def test_a_rolled_back_message_leaves_its_steps_unwritten_and_those_it_took(bot, any_storage, db_url,
                                                                                   monkeypatch):
    resident = Chat(bot)
    await resident.say("/ungho")  # ASK_AMOUNT, not written yet

    async def read_step_and_write(ctx):
        await repo.get_dialog(ctx.session, ctx.resident.id)  # takes ASK_AMOUNT into this transaction
        await repo.set_dialog(ctx.session, ctx.resident.id, PledgeStep.PHONE, {"amount": 1}, ctx.now)
        await repo.set_subscribed(ctx.session, ctx.resident, True, ctx.now)

    await fail_after(monkeypatch, resident, read_step_and_write)
    await any_storage.dialogs.flush()
    dialog = await stored_dialog(db_url)
    assert (dialog.state, dialog.data) == (PledgeStep.AMOUNT, {})  # given back, the failed step dropped
    async with any_storage.session() as s:
        assert not (await s.execute(select(Resident.subscribed))).scalar_one()
    assert (await resident.one("500k")).topic == "pledge_name"  # read again from the database


async def test_erasing_deletes_the_dialog_at_once_not_behind(bot, any_storage, db_url):
    resident = Chat(bot)
    await resident.say("/ungho 200k")
    await resident.say("Nguyễn Văn Lan")
    await any_storage.dialogs.flush()  # the step with the name is in the database
    await resident.say("/xoadulieu")
    await resident.say(payload="privacy:erase")
    killed(any_storage)  # nothing more is written
    assert await stored_dialog(db_url) is None


async def test_a_question_opens_no_session(chat, storage, monkeypatch):
    await chat.one("/start")
    opened = []
    session = storage.session
    monkeypatch.setattr(storage, "session", lambda **kw: opened.append(1) or session(**kw))
    await chat.one("khai mạc ở đâu")
    assert opened == []


async def test_a_chat_read_again_finds_its_step_not_yet_written(bot, any_storage):
    """The first message in a while reads the resident and the dialog in one statement: a step
    still waiting in the writer is the dialog, not the older row."""
    chat = Chat(bot)
    await chat.one("/ungho")
    await any_storage.dialogs.flush()  # the database holds the amount step
    assert (await chat.one("500k")).topic == "pledge_name"  # the name step waits in the writer
    bot.chats.forget_chat("console", chat.user)  # as after a failed message: the chat is read again
    assert any_storage.dialogs._pending
    assert (await chat.one("Nguyễn Văn A")).topic == "pledge_phone"


async def test_a_chat_read_again_finds_its_dialog_in_the_database(bot, any_storage):
    chat = Chat(bot)
    await chat.one("/ungho")
    assert (await chat.one("500k")).topic == "pledge_name"
    await any_storage.dialogs.flush()
    bot.chats.forget_chat("console", chat.user)
    assert (await chat.one("Nguyễn Văn A")).topic == "pledge_phone"
    bot.chats.forget_chat("console", chat.user)
    await any_storage.dialogs.flush()
    assert (await chat.one("/lich")).topic == "schedule"  # the dialog stays where it was
    bot.chats.forget_chat("console", chat.user)
    assert (await chat.one(payload="pledge:skip_phone")).topic == "pledge_confirm"


async def test_the_writer_tells_a_reader_whether_a_group_was_written_meanwhile(any_storage):
    async with any_storage.session() as s, s.begin():
        resident = (await repo.touch_chat(s, "console", "1", None, "vi", NOW))[0]
    writer = any_storage.dialogs
    mark = writer.mark()
    assert writer.unchanged(mark)
    writer.put({resident.id: None})
    assert writer.unchanged(mark)  # pending, not written: a reader takes it
    await writer.flush()
    assert not writer.unchanged(mark)
    assert writer.unchanged(writer.mark())


async def test_a_chat_read_again_gets_its_own_dialog_not_anothers(bot, any_storage):
    lan, hung = Chat(bot, user="lan", name="Lan"), Chat(bot, user="hung", name="Hùng")
    await lan.one("/ungho")
    assert (await lan.one("500k")).topic == "pledge_name"
    await any_storage.dialogs.flush()
    assert (await hung.one("/lich")).topic == "schedule"  # a first message: no dialog of his own
    assert bot.chats.get("console", "hung", "Hùng", bot.clock.now()).dialog is None
    await hung.one("/ungho")
    await any_storage.dialogs.flush()
    bot.chats.forget_chat("console", "lan")
    bot.chats.forget_chat("console", "hung")
    assert (await hung.one("200k")).topic == "pledge_name"
    assert (await lan.one("Nguyễn Văn A")).topic == "pledge_phone"
    assert bot.chats.get("console", "lan", "Lan", bot.clock.now()).dialog.data["amount"] == 500_000
    assert bot.chats.get("console", "hung", "Hùng", bot.clock.now()).dialog.data["amount"] == 200_000

"""Zalo OA end to end: signed webhooks posted to the web server, the Zalo API stand-in on
127.0.0.1 receiving what the bot sends, the real assistant and database behind."""
import asyncio
import json
from dataclasses import replace
from datetime import datetime

import aiohttp
import pytest
from sqlalchemy import select

from channels.outbox import Outbox
from channels.web import READY, build_web_app, start_web
from channels.zalo import ZaloChannel, ZaloConfig
from conftest import BEFORE_WEEK, bound_port
from content.loader import DEFAULT_PATH, load_week
from core.clock import ManualClock
from core.delivery import Outcome
from handlers.router import Assistant
from handlers.types import Reply
from bot import connect
from storage import repo
from storage.models import Delivery, Resident
from zalo_stub import APP_ID, APP_SECRET, OA_SECRET_KEY, ZaloStub, signed

LAN = "84900000001"


class Server:
    def __init__(self, stub: ZaloStub, assistant: Assistant, **options) -> None:
        self.stub, self.assistant = stub, assistant
        config = ZaloConfig(APP_ID, APP_SECRET, OA_SECRET_KEY, stub.access_token, stub.refresh_token,
                            api_base=stub.url, oauth_base=stub.url, rate_limit_pause=0.05, **options)
        self.zalo = ZaloChannel(assistant, config, Outbox(rate=200, backoff=0.02))
        assistant.senders.add(self.zalo.name, self.zalo.deliver)

    async def __aenter__(self):
        await self.zalo.start()
        app = build_web_app(self.assistant, zalo=self.zalo)
        app[READY].set()
        self.runner = await start_web(app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{bound_port(self.runner)}"
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc):
        await self.http.close()
        await self.runner.cleanup()
        await self.zalo.stop()

    async def post(self, event: dict, headers: dict | None = None, body: bytes | None = None) -> int:
        signed_body, signed_headers = signed(event)
        async with self.http.post(self.url + "/zalo/webhook", data=body or signed_body,
                                  headers=signed_headers if headers is None else headers) as response:
            return response.status

    async def say(self, user: str, text: str, count: int = 1) -> list[dict]:
        before = len(self.stub.messages(user))
        assert await self.post(self.stub.user_event(user, text)) == 200
        calls = await self.stub.wait_messages(user, before + count)
        return [c.body["message"] for c in calls[before:]]


@pytest.fixture
async def zalo(storage):
    week = load_week(DEFAULT_PATH.with_name("demo-bank.yaml"))
    assistant = Assistant(week, storage, ManualClock(BEFORE_WEEK))
    async with ZaloStub() as stub, Server(stub, assistant) as server:
        yield server
    assert stub.refused == []  # the strict stand-in saw only what Zalo's v3 API accepts


@pytest.mark.slow
async def test_question_subscribe_and_pledge_with_qr(zalo):
    zalo.assistant.clock.set(datetime.fromisoformat("2023-09-30T20:00:00+07:00"))  # rehearsal clock
    (answer,) = await zalo.say(LAN, "chu de nam nay la j vay ad")
    assert "Xây dựng năng lực tự học trong kỷ nguyên số" in answer["text"]
    assert "attachment" not in answer and "\n1. 📅 Lịch tuần" in answer["text"]  # numbered options
    assert zalo.stub.messages(LAN)[-1].body["recipient"] == {"user_id": LAN}  # v3: the user id, always

    (schedule,) = await zalo.say(LAN, "1")  # typing the option's number
    assert "1/10" in schedule["text"] and "7/10" in schedule["text"]
    (subscribed,) = await zalo.say(LAN, "/nhacnho")
    assert "07:00" in subscribed["text"]
    zalo.assistant.clock.set(datetime.fromisoformat("2023-10-01T07:00:00+07:00"))
    assert (await connect(zalo.assistant, []).reminders.run(datetime(2023, 10, 1).date())).sent == 1
    (reminder,) = [c.body["message"] for c in zalo.stub.messages(LAN)[-1:]]
    assert "Chào buổi sáng" in reminder["text"]

    await zalo.say(LAN, "ủng hộ 1tr5")
    await zalo.say(LAN, "Gia đình ông Ba")
    await zalo.say(LAN, "bỏ qua")
    thanks, pay, photo = await zalo.say(LAN, "xác nhận", count=3)
    assert "KH-0001" in thanks["text"] and "1.500.000 đ" in thanks["text"]
    assert photo["attachment"]["payload"]["elements"][0]["media_type"] == "image"
    (upload,) = [c for c in zalo.stub.calls if c.path == "/v2.0/oa/upload/image"]
    assert upload.files["file"][0] == "vietqr-KH-0001.png" and upload.files["file"][1].startswith(b"\x89PNG")


@pytest.mark.slow
async def test_same_answers_as_the_terminal(zalo, tmp_path):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    questions = ["khai mạc ở đâu", "quỹ khuyến học được bao nhiêu rồi", "mua bán xe máy cũ"]
    run = subprocess.run([sys.executable, "bot.py", "console", "--json", "--now", BEFORE_WEEK.isoformat()], cwd=ROOT,
                         env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "PATH": ""},
                         input="\n".join(questions) + "\n", capture_output=True, text=True, timeout=300)
    console = [json.loads(line)["text"] for line in run.stdout.splitlines()]
    for question, expected in zip(questions, console):
        (answer,) = await zalo.say("84900000002", question)
        assert answer["text"].split("\n\n1. ")[0] == expected  # then the options, numbered


async def test_typing_an_options_number_presses_it(zalo):
    (menu,) = await zalo.say(LAN, "/start")
    assert "\n5. ❓ Hỏi đáp" in menu["text"]
    (faq_list,) = await zalo.say(LAN, "5")
    assert "attachment" not in faq_list and "\n1. " in faq_list["text"]
    (answer,) = await zalo.say(LAN, "1")
    assert "Xây dựng năng lực tự học" in answer["text"]


async def test_follow_greets_and_other_events_are_answered_politely(zalo):
    assert await zalo.post(zalo.stub.user_event("84900000003", event_name="follow")) == 200
    (greeting,) = [c.body["message"] for c in await zalo.stub.wait_messages("84900000003", 1)]
    assert greeting["text"].startswith("Xin chào")
    assert zalo.stub.messages("84900000003")[0].body["recipient"] == {"user_id": "84900000003"}
    assert await zalo.post(zalo.stub.user_event("84900000003", None, event_name="user_send_sticker")) == 200
    (sticker,) = [c.body["message"] for c in (await zalo.stub.wait_messages("84900000003", 2))[1:]]
    assert "chữ" in sticker["text"]


async def test_follow_and_unfollow_call_intents_not_commands(zalo, monkeypatch):
    """Renaming /start or /huynhac must not break them: the channel asks for the intent."""
    user = "84900000004"
    await zalo.say(user, "/nhacnho")
    monkeypatch.setattr("handlers.router.COMMANDS", {})  # no command is known any more
    assert await zalo.post(zalo.stub.user_event(user, event_name="follow")) == 200
    greeting = (await zalo.stub.wait_messages(user, 2))[-1].body["message"]
    assert greeting["text"].startswith("Xin chào")
    assert await zalo.post(zalo.stub.user_event(user, event_name="unfollow")) == 200
    for _ in range(200):  # processed after the webhook's answer
        async with zalo.assistant.storage.session() as s:
            resident = await s.scalar(select(Resident).where(Resident.external_id == user))
        if not resident.subscribed:
            break
        await asyncio.sleep(0.01)
    assert not resident.subscribed
    assert len(zalo.stub.messages(user)) == 2  # unfollowed: nothing more is written to them


async def test_forged_and_unsigned_requests_are_refused(zalo):
    event = zalo.stub.user_event(LAN, "/start")
    body, headers = signed(event)
    assert await zalo.post(event, headers={"Content-Type": "application/json"}) == 401
    assert await zalo.post(event, headers={**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}) == 403
    forged, forged_headers = signed(event, key="not-the-oa-secret")
    assert await zalo.post(event, headers=forged_headers) == 403
    tampered = body.replace(b"/start", b"/lich!")
    assert await zalo.post(event, headers=headers, body=tampered) == 403
    assert await zalo.post(event, headers=headers, body=b"not json") == 400
    async with zalo.assistant.storage.session() as s:
        assert await repo.count_residents(s) == (0, 0)  # nothing was processed
    assert zalo.stub.messages() == []


async def test_a_replayed_old_event_is_ignored(zalo):
    import time

    old = zalo.stub.user_event(LAN, "/lich")
    old["timestamp"] = str(int((time.time() - 3 * 24 * 3600) * 1000))  # signed, but three days old
    assert await zalo.post(old) == 200
    await zalo.say(LAN, "/homnay")  # one resident's events are handled in order: /lich would come first
    (first,) = zalo.stub.messages(LAN)[:1]
    assert "Lịch Tuần lễ" not in first.body["message"]["text"]


async def test_a_retried_webhook_is_processed_once(zalo):
    event = zalo.stub.user_event(LAN, "/lich")
    assert await zalo.post(event) == 200
    assert await zalo.post(event) == 200  # Zalo delivers the same msg_id again
    await zalo.stub.wait_messages(LAN, 1)
    await zalo.say(LAN, "/homnay")
    assert len(zalo.stub.messages(LAN)) == 2


async def test_an_expired_token_is_refreshed_and_the_send_retried(zalo, storage):
    zalo.stub.expire_token()
    (answer,) = await zalo.say(LAN, "/lich")
    assert "1/10" in answer["text"] and zalo.stub.refreshes == 1
    async with storage.session() as s:
        token = await repo.get_token(s, "zalo")
    assert (token.access_token, token.refresh_token) == ("access-1", "refresh-1")  # kept for the next start
    # Before it expires, the token is refreshed ahead of the call.
    zalo.assistant.clock.advance(seconds=90000 - 60)
    await zalo.say(LAN, "/homnay")
    assert zalo.stub.refreshes == 2


async def test_a_restart_uses_the_stored_refresh_token(storage):
    assistant = Assistant(load_week(), storage, ManualClock(BEFORE_WEEK))
    async with ZaloStub() as stub:
        async with Server(stub, assistant) as first:
            stub.expire_token()
            await first.say(LAN, "/lich")
        # The settings still hold refresh-0, which Zalo no longer accepts.
        async with Server(stub, assistant) as second:
            stub.expire_token()
            await second.say(LAN, "/homnay")
        assert stub.refreshes == 2


async def test_no_recent_interaction_is_recorded_not_retried(zalo, storage):
    await zalo.say(LAN, "/nhacnho")
    await zalo.say("84900000009", "/nhacnho")
    zalo.stub.unreachable_users.add("84900000009")
    zalo.zalo.config = replace(zalo.zalo.config, free_only=False)  # the ward pays for 48 h to 7 days
    zalo.assistant.clock.set(datetime.fromisoformat("2023-10-02T07:00:00+07:00"))
    tally = await connect(zalo.assistant, []).reminders.run(datetime(2023, 10, 2).date())
    assert (tally.sent, tally.unreachable) == (1, 1)
    async with storage.session() as s:
        rows = (await s.execute(select(Delivery.status, Delivery.reason).order_by(Delivery.id))).all()
    assert rows[0] == ("sent", None) and rows[1][0] == "unreachable" and rows[1][1].startswith("-230")
    attempts = [c for c in zalo.stub.calls if c.body.get("recipient") == {"user_id": "84900000009"}]
    assert len(attempts) == 2  # the answer to /nhacnho, then the reminder once: not retried
    assert zalo.stub.messages(LAN)[-1].body["recipient"] == {"user_id": LAN}  # reminders go to the user id


async def test_long_text_is_split_at_line_breaks_for_zalo(zalo):
    from handlers.types import Button, Reply

    text = "\n".join(f"Dòng {i}: " + " ".join(["chữ"] * 20) for i in range(60))  # about 5,600 characters
    result = await zalo.zalo.deliver(LAN, [Reply(text, "x", [Button("OK", "menu:menu")])])
    assert result.outcome.value == "sent"
    parts = [c.body["message"] for c in zalo.stub.messages(LAN)]
    assert len(parts) == 3 and all(len(p["text"]) <= 2000 for p in parts)
    assert "\n".join(p["text"] for p in parts) == text + "\n\n1. OK"  # the option numbered, at the end
    assert not any("attachment" in p for p in parts)


async def test_two_processes_share_the_rotating_tokens(storage):
    """Process 1 refreshes; process 2, whose token then fails, takes the stored one instead of
    spending the used-up refresh token."""
    one = Assistant(load_week(), storage, ManualClock(BEFORE_WEEK))
    two = Assistant(load_week(), storage, ManualClock(BEFORE_WEEK))
    async with ZaloStub() as stub, Server(stub, one) as first, Server(stub, two) as second:
        stub.expire_token()
        await first.say(LAN, "/lich")
        await second.say("84900000005", "/homnay")
        assert stub.refreshes == 1


async def test_new_tokens_in_the_settings_replace_the_stored_ones(storage):
    assistant = Assistant(load_week(), storage, ManualClock(BEFORE_WEEK))
    async with ZaloStub() as stub:
        async with Server(stub, assistant) as first:
            stub.expire_token()
            await first.say(LAN, "/lich")  # stored chain: access-1 / refresh-1
        # Staff re-authorise the OA and put fresh tokens in .env.
        stub.access_token, stub.refresh_token = "from-env-access", "from-env-refresh"
        async with Server(stub, assistant) as second:
            await second.say(LAN, "/homnay")
            assert stub.messages(LAN)[-1].access_token == "from-env-access"


async def test_a_number_at_the_amount_step_presses_the_listed_option(zalo):
    """As in the terminal chat: the resident sees "2. 100.000 đ" and typing 2 picks it; the
    summary shows the amount before anything is recorded. A number not listed is an amount."""
    (ask,) = await zalo.say(LAN, "/ungho")
    second = ask["text"].split("\n2. ")[1].split("\n")[0]
    (reply,) = await zalo.say(LAN, "2")
    assert f"Số tiền: {second}" in reply["text"]
    await zalo.say(LAN, "/huy")
    await zalo.say(LAN, "/ungho")
    (reply,) = await zalo.say(LAN, "9")
    assert "9.000 đ" in reply["text"]  # asked back as thousands, not a button press


async def test_a_non_ascii_signature_is_refused_not_a_crash(zalo):
    event = zalo.stub.user_event(LAN, "/start")
    body, headers = signed(event)
    async with zalo.http.post(zalo.url + "/zalo/webhook", data=body,
                              headers={**headers, "X-ZEvent-Signature": "mac=đ".encode().decode("latin-1")}) as r:
        assert r.status == 403


async def test_one_residents_messages_are_handled_in_order(zalo):
    await zalo.post(zalo.stub.user_event(LAN, "/ungho"))
    await zalo.post(zalo.stub.user_event(LAN, "300k"))
    await zalo.post(zalo.stub.user_event(LAN, "Bác Hai"))
    await zalo.post(zalo.stub.user_event(LAN, "0912 345 678"))
    calls = await zalo.stub.wait_messages(LAN, 4)
    assert "Bác Hai" in calls[-1].body["message"]["text"] and "0912 345 678" in calls[-1].body["message"]["text"]


# Zalo as it really is (issue 9) and odd input (issue 11) ---------------------------------

async def _post_raw(zalo, body: bytes, headers: dict | None = None) -> int:
    async with zalo.http.post(zalo.url + "/zalo/webhook", data=body, headers=headers or {}) as response:
        return response.status


async def test_the_url_check_gets_200_and_nothing_is_processed(zalo):
    assert await _post_raw(zalo, b"{}", {"Content-Type": "application/json"}) == 200  # Zalo saving the URL
    assert await _post_raw(zalo, b"") == 200
    unsigned = json.dumps(zalo.stub.user_event(LAN, "/lich")).encode()
    assert await _post_raw(zalo, unsigned, {"Content-Type": "application/json"}) == 401  # an event must be signed
    assert await _post_raw(zalo, b"[]") == 401
    async with zalo.assistant.storage.session() as s:
        assert await repo.count_residents(s) == (0, 0)
    assert zalo.stub.calls == []


@pytest.mark.parametrize("damage", [
    {"message": "xin chào"}, {"message": ["x"]}, {"message": None}, {"sender": "84900000001"},
    {"sender": {"id": True}}, {"event_name": 7}, {"message": {"msg_id": {"a": 1}, "text": "hi"}},
    {"message": {"msg_id": "m1", "text": 5}}, {"follower": None, "event_name": "follow"},
])
async def test_a_signed_event_of_another_shape_is_ignored_once_without_a_traceback(zalo, caplog, damage):
    event = {**zalo.stub.user_event(LAN, "/lich"), **damage}
    with caplog.at_level("INFO"):
        assert await zalo.post(event) == 200  # Zalo would retry anything else, forever
        await zalo.say(LAN, "/homnay")  # the channel goes on
    assert [r for r in caplog.records if r.exc_info] == []
    assert len([r for r in caplog.records if "unexpected shape" in r.getMessage()]) == 1
    assert len(zalo.stub.messages(LAN)) == 1


async def test_id_tells_staff_their_id(zalo):
    (answer,) = await zalo.say(LAN, "/id")
    assert f"zalo:{LAN}" in answer["text"]


async def test_a_removed_token_220_is_refreshed_once_and_the_send_goes_through(zalo):
    zalo.stub.revoke_token()
    (answer,) = await zalo.say(LAN, "/lich")
    assert "1/10" in answer["text"] and zalo.stub.refreshes == 1
    assert [c.body.get("error") for c in zalo.stub.calls if c.path.endswith("/cs")] == [None, None]


async def test_a_rate_limit_32_pauses_and_sends_again(zalo):
    zalo.stub.fail_next(-32, "Request rate limit exceeded")
    (answer,) = await zalo.say(LAN, "/lich")
    assert "1/10" in answer["text"] and zalo.zalo.outbox.count_429 == 1


async def _two_subscribers_then_reminder(zalo, failure: int) -> tuple:
    clock = zalo.assistant.clock
    clock.set(datetime.fromisoformat("2023-09-30T20:00:00+07:00"))  # both wrote last evening: free window
    await zalo.say(LAN, "/nhacnho")
    await zalo.say("84900000009", "/nhacnho")
    clock.set(datetime.fromisoformat("2023-10-01T07:00:00+07:00"))
    zalo.stub.fail_next(failure, "refused")
    tally = await connect(zalo.assistant, []).reminders.run(datetime(2023, 10, 1).date())
    async with zalo.assistant.storage.session() as s:
        rows = (await s.execute(select(Delivery.status, Delivery.reason).order_by(Delivery.id))).all()
    return tally, rows


async def test_not_a_follower_213_is_counted_as_a_block(zalo):
    tally, rows = await _two_subscribers_then_reminder(zalo, -213)
    assert (tally.sent, tally.blocked) == (1, 1) and rows[0][0] == "blocked"
    async with zalo.assistant.storage.session() as s:
        assert await repo.count_blocked(s) == 1
        assert await repo.count_residents(s) == (2, 1)  # unsubscribed


async def test_an_expired_interaction_232_is_unreachable_not_retried(zalo):
    tally, rows = await _two_subscribers_then_reminder(zalo, -232)
    assert (tally.sent, tally.unreachable) == (1, 1) and rows[0][0] == "unreachable" and rows[0][1].startswith("-232")
    reminders = [c for c in zalo.stub.calls if c.path.endswith("/cs") and "Chào buổi sáng" in str(c.body)]
    assert len(reminders) == 2  # one each: the refused one was not tried again


async def test_free_only_leaves_out_a_resident_silent_for_3_days_and_thongke_says_why(storage):
    week = load_week()
    assistant = Assistant(week, storage, ManualClock(datetime.fromisoformat("2023-09-28T07:00:00+07:00")),
                          admins=frozenset({("zalo", "staff1")}))
    async with ZaloStub() as stub, Server(stub, assistant) as zalo:
        await zalo.say(LAN, "/nhacnho")  # then silent for three days
        assistant.clock.set(datetime.fromisoformat("2023-09-30T20:00:00+07:00"))
        await zalo.say("84900000009", "/nhacnho")
        assistant.clock.set(datetime.fromisoformat("2023-10-01T07:00:00+07:00"))
        tally = await connect(assistant, []).reminders.run(datetime(2023, 10, 1).date())
        assert (tally.sent, tally.unreachable) == (1, 1)
        assert len(stub.messages(LAN)) == 1  # only the answer to /nhacnho: Zalo was not even asked
        (stats,) = await zalo.say("staff1", "/thongke")
        assert "quá 48 giờ chưa nhắn, tin sẽ mất phí (ZALO_FREE_ONLY): 1" in stats["text"]
        assert stub.refused == []


async def test_query_buttons_only_when_turned_on(storage):
    assistant = Assistant(load_week(), storage, ManualClock(BEFORE_WEEK))
    async with ZaloStub(accept_buttons=True) as stub, Server(stub, assistant, query_buttons=True) as zalo:
        (answer,) = await zalo.say(LAN, "/start")
        buttons = answer["attachment"]["payload"]["buttons"]
        assert buttons[0] == {"title": "📅 Lịch tuần", "type": "oa.query.hide", "payload": "#btn:menu:schedule"}
        (schedule,) = await zalo.say(LAN, "#btn:menu:schedule")  # what the hidden query button sends
        assert "1/10" in schedule["text"]
        (typed,) = await zalo.say(LAN, "#btn:privacy:erase")  # typed, never shown: not a button press
        assert "Đã xóa dữ liệu" not in typed["text"]
        async with storage.session() as s:
            assert await repo.count_residents(s) == (1, 0)


async def test_the_strict_stand_in_refuses_v2_shapes():
    async with ZaloStub() as stub, aiohttp.ClientSession(headers={"access_token": stub.access_token}) as http:
        async def send(path: str, body: dict) -> int:
            async with http.post(stub.url + path, json=body) as response:
                assert response.status == 200  # Zalo answers errors in the body
                return (await response.json())["error"]

        cs, to_lan = "/v3.0/oa/message/cs", {"user_id": LAN}
        assert await send(cs, {"recipient": {"message_id": "m1"}, "message": {"text": "x"}}) == -201  # v2 reply
        assert await send("/v2.0/oa/message", {"recipient": to_lan, "message": {"text": "x"}}) == -201
        assert await send(cs, {"recipient": to_lan, "message": {"text": "x" * 2001}}) == -201
        assert await send(cs, {"recipient": to_lan, "message": {"text": "x"}, "x": 1}) == -201
        buttons = {"type": "template", "payload": {"buttons": [{"title": "a", "type": "oa.query.hide", "payload": "a"}]}}
        assert await send(cs, {"recipient": to_lan, "message": {"text": "x", "attachment": buttons}}) == -201
        assert await send(cs, {"recipient": to_lan, "message": {"text": "x"}}) == 0
        assert len(stub.refused) == 5


def test_zalo_pacing_per_resident_comes_from_settings(assistant):
    """Both Zalo channels take ZALO_PER_CHAT and ZALO_BURST, as Telegram takes its own."""
    from bot import zalo_channel, zalobot_channel
    from settings import Settings

    settings = Settings(_env_file=None, zalo_app_id="1", zalo_app_secret="s", zalo_oa_secret_key="k",
                        zalo_access_token="a", zalo_refresh_token="r", zalo_bot_token="1:t",
                        zalo_per_chat=0.5, zalo_burst=2)
    for channel in (zalo_channel(settings, assistant), zalobot_channel(settings, assistant)):
        assert (channel.outbox.per_chat, channel.outbox.burst) == (0.5, 2)


async def test_free_only_claims_before_refusing_so_the_sweep_records_it_once(storage):
    """The sweep resends a dead process's claim through deliver(claim=...): a resident outside
    the free window must still be claimed, or the row stays 'claimed' and is swept for ever."""
    assistant = Assistant(load_week(), storage, ManualClock(datetime.fromisoformat("2023-09-28T07:00:00+07:00")))
    async with ZaloStub() as stub, Server(stub, assistant) as zalo:
        await zalo.say(LAN, "/nhacnho")
        assistant.clock.set(datetime.fromisoformat("2023-10-01T07:00:00+07:00"))  # three days silent
        claims = []

        async def claim() -> bool:
            claims.append(True)
            return True

        result = await zalo.zalo.deliver(LAN, [Reply("x", "reminder")], bulk=True, claim=claim)
        assert result.outcome is Outcome.UNREACHABLE and claims == [True]
        assert stub.refused == []

"""A property test of how the bot reads Telegram's updates: any JSON body, by webhook or in a
getUpdates answer, gives updates whose parts have the types the bot reads, or a clean refusal;
nothing is raised."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from channels.telegram import addressed_to_bot, button_press, private_message
from channels.telegram_updates import NotAnUpdate, parse_update, read_updates

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


def objects(required: dict, optional: dict | None = None):
    """Objects shaped as the Bot API documents them (https://core.telegram.org/bots/api#update)."""
    return st.fixed_dictionaries(required, optional=optional or {})


ids = st.integers(min_value=-10**12, max_value=10**12)
users = objects({"id": ids, "is_bot": st.booleans(), "first_name": st.text(max_size=20)},
                {"last_name": st.text(max_size=20), "language_code": st.sampled_from(["vi", "en", "en-US", ""])})
chats = objects({"id": ids, "type": st.sampled_from(["private", "group", "supergroup", "channel"])},
                {"title": st.text(max_size=20), "first_name": st.text(max_size=20)})
entities = objects({"type": st.sampled_from(["bot_command", "mention", "bold"]), "offset": st.integers(0, 40),
                    "length": st.integers(1, 40)})
photos = objects({"file_id": st.text(max_size=10), "file_unique_id": st.text(max_size=10),
                  "width": st.integers(1, 5000), "height": st.integers(1, 5000)})
texts = st.text(max_size=40) | st.sampled_from(["/lich", "/lich@ward_test_bot", "@ward_test_bot ơi", "/start x"])
messages = objects({"message_id": ids, "date": st.integers(0, 2**31), "chat": chats},
                   {"from": users, "text": texts, "caption": texts, "entities": st.lists(entities, max_size=2),
                    "photo": st.lists(photos, min_size=1, max_size=2)})
queries = objects({"id": st.text(max_size=10), "from": users, "chat_instance": st.text(max_size=10)},
                  {"data": texts, "message": messages})
kinds = {"message": messages, "edited_message": messages, "callback_query": queries, "channel_post": messages}
updates = st.one_of(*[objects({"update_id": ids, kind: content}) for kind, content in kinds.items()])


def _places(value):
    """Every (container, key) in a JSON value, nested ones included."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield value, key
        yield from _places(inner)


@st.composite
def damaged(draw, valid):
    """A valid update with one part lost, or replaced by any JSON value, or another kind added."""
    update = draw(valid)
    places = list(_places(update))
    container, key = draw(st.sampled_from(places))
    action = draw(st.sampled_from(["lose", "replace", "add kind"]))
    if action == "add kind":
        update.update(draw(st.fixed_dictionaries({}, optional=kinds)))
    elif action == "lose" and isinstance(container, dict):
        del container[key]
    else:
        container[key] = draw(json_values)
    return update


bodies = st.one_of(updates, damaged(updates), json_values)


def read_as_the_channel_does(update: Update) -> None:
    """What the channel takes from an update: the types its handlers rely on."""
    for read in (private_message(update), button_press(update)):
        if read is not None:
            chat_id, msg = read
            assert type(chat_id) is int and msg.user_id.lstrip("-").isdigit()
            assert isinstance(msg.name, (str, type(None))) and isinstance(msg.language, (str, type(None)))
            assert isinstance(msg.text, (str, type(None))) and isinstance(msg.payload, (str, type(None)))
            assert msg.unsupported == (msg.text is None and msg.payload is None)
    message = update.effective_message
    if message is not None and getattr(message, "text", None) is not None:
        addressed_to_bot(message.text, "ward_test_bot")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_any_json_is_an_update_or_refused_never_an_error(body):
    """Webhook path: any decoded body gives an update whose parts have the types the bot reads,
    or NotAnUpdate, which the webhook answers 400; nothing else is raised."""
    is_update = isinstance(body, dict) and type(body.get("update_id")) is int
    try:
        update = parse_update(body)
    except NotAnUpdate:
        assert not is_update
        return
    assert is_update and update.update_id == body["update_id"]
    read_as_the_channel_does(update)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bodies, max_size=4))
def test_any_getupdates_answer_parses_and_confirms_every_update(items):
    """Polling path: read_updates() reads every update once, PTB reads what it leaves without
    failing, and every update id is still there, so the next poll confirms them all."""
    answer, updates = read_updates(json.dumps({"ok": True, "result": items}).encode())
    parsed = Update.de_list(answer["result"], None)
    expected = [i["update_id"] for i in items if isinstance(i, dict) and type(i.get("update_id")) is int]
    assert [u.update_id for u in parsed] == [u.update_id for u in updates] == expected
    for update in updates:
        read_as_the_channel_does(update)


def test_a_button_press_is_read_without_the_message_it_sits_under():
    """Telegram sends the whole message under a pressed button (the bot's own text and keyboard);
    the bot reads where it is, and builds no objects for the rest."""
    message = {"message_id": 7, "date": 1696300000, "chat": {"id": 42, "type": "private", "first_name": "Lan"},
               "from": {"id": 1, "is_bot": True, "first_name": "Bot"}, "text": "Lịch tuần lễ " * 300,
               "entities": [{"type": "bold", "offset": 0, "length": 5}],
               "reply_markup": {"inline_keyboard": [[{"text": "Xác nhận", "callback_data": "pledge:confirm"}]]}}
    update = parse_update({"update_id": 9, "callback_query": {
        "id": "77", "chat_instance": "-1", "data": "pledge:confirm", "message": message,
        "from": {"id": 42, "is_bot": False, "first_name": "Lan", "language_code": "vi"}}})
    chat, msg = button_press(update)
    assert (chat, msg.payload, msg.user_id, msg.message_id) == (42, "pledge:confirm", "42", "cb:77")
    assert update.callback_query.message.message_id == 7
    assert update.callback_query.message.text is None and update.callback_query.message.reply_markup is None

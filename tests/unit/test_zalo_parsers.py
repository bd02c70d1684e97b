"""The Zalo update parsers (OA webhook events, Zalo Bot updates) take any JSON without raising,
and what they return is safe to use: ids that fit the database, text that is text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from channels.zalo import ZaloEvent, parse_event
from channels.zalobot import BotUpdate, parse_update

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=80)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=15)
ids = st.one_of(st.text(max_size=80), st.integers(), st.booleans(), st.none(), json_values)


def oa_events():
    """Events near Zalo's shape, with any part replaced by arbitrary JSON."""
    message = st.fixed_dictionaries({}, optional={"msg_id": ids, "text": json_values, "attachments": json_values})
    return st.fixed_dictionaries({}, optional={
        "event_name": st.sampled_from(["user_send_text", "user_send_sticker", "follow", "unfollow", "oa_send_text",
                                       "user_seen_message"]) | json_values,
        "app_id": json_values, "timestamp": json_values,
        "sender": st.fixed_dictionaries({}, optional={"id": ids}) | json_values,
        "follower": st.fixed_dictionaries({}, optional={"id": ids}) | json_values,
        "message": message | json_values})


def bot_updates():
    chat_type = st.sampled_from(["PRIVATE", "GROUP"]) | json_values
    chat = st.fixed_dictionaries({}, optional={"id": ids, "chat_type": chat_type})
    sender = st.fixed_dictionaries({}, optional={"id": ids, "display_name": json_values, "first_name": json_values})
    message = st.fixed_dictionaries({}, optional={"chat": chat | json_values, "from": sender | json_values,
                                                  "message_id": ids, "text": json_values, "date": json_values})
    update = st.fixed_dictionaries({}, optional={
        "event_name": st.sampled_from(["message.text.received", "message.image.received"]) | json_values,
        "message": message | json_values})
    return update | st.fixed_dictionaries({"ok": json_values, "result": update | json_values})


@settings(max_examples=150, deadline=None)
@given(oa_events() | json_values)
def test_oa_event_parser_takes_any_json(data):
    event = parse_event(data)
    assert event is None or isinstance(event, ZaloEvent)
    if event is not None and event.kind != "ignore":
        assert event.kind in ("text", "follow", "unfollow", "other")
        assert isinstance(event.user_id, str) and 0 < len(event.user_id) <= 64
        assert isinstance(event.event_id, str) and 0 < len(event.event_id) <= 128
        assert isinstance(event.text, str)


@settings(max_examples=150, deadline=None)
@given(bot_updates() | json_values)
def test_bot_update_parser_takes_any_json(data):
    update = parse_update(data)
    assert update is None or isinstance(update, BotUpdate)
    if update is not None:
        assert update.kind in ("text", "other")
        assert isinstance(update.user_id, str) and 0 < len(update.user_id) <= 64
        assert isinstance(update.message_id, str) and 0 < len(update.message_id) <= 64
        assert update.name is None or (isinstance(update.name, str) and len(update.name) <= 128)
        assert isinstance(update.text, str)


def test_the_documented_shapes_parse():
    # ZALO_BOT_API.md's getUpdates sample: the update in "result", without event_name.
    docs = {"ok": True, "result": {"message": {
        "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"}, "text": "Xin chào",
        "message_id": "16f6366b3f02645a3d15", "date": 1766619597466,
        "from": {"id": "e4ea2cd5189df1c3a88c", "first_name": "Nguyen Van A"}}}}
    assert parse_update(docs) == BotUpdate("text", "e4ea2cd5189df1c3a88c", "16f6366b3f02645a3d15", "Nguyen Van A",
                                           "Xin chào")
    image = {"event_name": "message.image.received", "message": {**docs["result"]["message"], "text": None}}
    assert parse_update(image).kind == "other"
    assert parse_update({**docs, "result": {"message": {**docs["result"]["message"],
                                                        "chat": {"id": "g", "chat_type": "GROUP"}}}}) is None
    oa = {"app_id": "1", "event_name": "user_send_text", "sender": {"id": "246"}, "recipient": {"id": "oa"},
          "message": {"text": "hi", "msg_id": "m1"}, "timestamp": "1"}
    assert parse_event(oa) == ZaloEvent("text", "246", "m1", "hi")
    assert parse_event({**oa, "message": "hi"}) is None
    assert parse_event({**oa, "event_name": "user_seen_message"}).kind == "ignore"

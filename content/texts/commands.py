"""What residents type to reach the bot's own features, in either language: command names, and
phrasings matched like FAQ questions (see core.matcher)."""
from __future__ import annotations

# Each feature's command in each language; any of them is understood whatever the resident's language.
COMMAND_NAMES: dict[str, dict[str, str]] = {
    "start": {"en": "start", "vi": "batdau"}, "menu": {"en": "menu", "vi": "menu"},
    "help": {"en": "help", "vi": "trogiup"}, "schedule": {"en": "schedule", "vi": "lich"},
    "today": {"en": "today", "vi": "homnay"}, "subscribe": {"en": "subscribe", "vi": "nhacnho"},
    "unsubscribe": {"en": "unsubscribe", "vi": "huynhac"}, "pledge": {"en": "pledge", "vi": "ungho"},
    "my_pledges": {"en": "mypledges", "vi": "camket"}, "honour": {"en": "honour", "vi": "vinhdanh"},
    "stats": {"en": "stats", "vi": "thongke"}, "export": {"en": "export", "vi": "xuat"},
    "paid": {"en": "paid", "vi": "danhan"}, "broadcast": {"en": "broadcast", "vi": "thongbao"},
    "web": {"en": "web", "vi": "quantri"}, "teach": {"en": "teach", "vi": "day"},
    "dismiss": {"en": "dismiss", "vi": "boqua"}, "cancel": {"en": "cancel", "vi": "huy"},
    "erase": {"en": "deletemydata", "vi": "xoadulieu"},
}
# Command name -> feature.
COMMANDS: dict[str, str] = {name: intent for intent, names in COMMAND_NAMES.items() for name in names.values()}
# The command menu a channel shows (setMyCommands on Telegram; listed by "unknown command"), in this
# order; each entry's description is the text "command_<feature>".
MENU: tuple[str, ...] = ("schedule", "today", "subscribe", "unsubscribe", "pledge", "my_pledges", "honour", "help",
                         "erase", "cancel")

# Phrasings of what the bot itself can do, matched like FAQ questions (see core.matcher).
INTENTS: dict[str, list[str]] = {
    "schedule": ["xem lịch", "lịch", "lịch tuần", "lịch trình", "chương trình tuần lễ", "lịch hoạt động",
                 "các hoạt động trong tuần", "có những hoạt động gì", "cả tuần có gì",
                 "schedule", "program", "what's on this week", "events this week", "show the schedule"],
    "subscribe": ["nhắc tôi", "đăng ký nhận nhắc", "nhắc hằng ngày", "nhận thông báo mỗi ngày", "nhắc lịch",
                  "đăng ký nhắc nhở", "nhắc mỗi sáng", "remind me", "subscribe", "daily reminder"],
    "unsubscribe": ["hủy nhắc", "không nhận nhắc nữa", "thôi nhắc", "dừng nhắc", "hủy đăng ký nhắc",
                    "stop reminders", "unsubscribe"],
    "help": ["trợ giúp", "hướng dẫn", "bot làm được gì", "hướng dẫn sử dụng", "help", "what can you do"],
    "greeting": ["xin chào", "chào", "chào bạn", "chào ad", "chào bot", "alo", "hello", "hi", "hey",
                 "good morning", "chào buổi sáng", "menu"],
    "thanks": ["cảm ơn", "cảm ơn nhiều", "thanks", "thank you"],
    "erase": ["xóa dữ liệu của tôi", "xóa thông tin cá nhân", "xóa số điện thoại của tôi", "delete my data",
              "delete my personal data"],
}

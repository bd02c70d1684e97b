"""What residents type to reach the bot's own features, in either language: command names, and
phrasings matched like FAQ questions (see core.matcher)."""
from __future__ import annotations

# Commands, Vietnamese and English names, -> intent.
COMMANDS = {
    "start": "start", "batdau": "start", "menu": "menu",
    "help": "help", "trogiup": "help",
    "schedule": "schedule", "lich": "schedule",
    "today": "today", "homnay": "today",
    "subscribe": "subscribe", "nhacnho": "subscribe",
    "unsubscribe": "unsubscribe", "huynhac": "unsubscribe",
    "pledge": "pledge", "ungho": "pledge",
    "mypledges": "my_pledges", "camket": "my_pledges",
    "honour": "honour", "vinhdanh": "honour",
    "stats": "stats", "thongke": "stats",
    "export": "export", "xuat": "export",
    "paid": "paid", "danhan": "paid",
    "broadcast": "broadcast", "thongbao": "broadcast",
    "web": "web", "quantri": "web",
    "teach": "teach", "day": "teach", "dismiss": "dismiss", "boqua": "dismiss",
    "cancel": "cancel", "huy": "cancel",
    "deletemydata": "erase", "xoadulieu": "erase",
}

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

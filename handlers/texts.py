"""Every sentence the bot says that is not ward content, in Vietnamese and English.

Values are str.format templates producing HTML; arguments are escaped by the caller
(see handlers.common.say), so a resident's name can never inject markup.
"""
from __future__ import annotations

VI = {
    "greeting": (
        "Xin chào {name}! 👋 Mình là trợ lý của <b>{event}</b> tại {ward}.\n"
        "Chủ đề năm nay: <b>“{theme}”</b>, từ {start} đến {end}.\n"
        "Bạn có thể xem lịch, hỏi bất cứ điều gì về Tuần lễ, nhận nhắc mỗi sáng, hoặc ủng hộ Quỹ khuyến học."
    ),
    "menu": "Bạn muốn xem gì? Chọn một mục bên dưới hoặc gõ câu hỏi của bạn.",
    "help": (
        "Mình có thể giúp bạn:\n"
        "• /lich: lịch cả tuần\n"
        "• /homnay: hoạt động hôm nay (hoặc gõ “ngày mai”, “3/10”, “thứ năm”...)\n"
        "• /nhacnho: nhận nhắc lịch mỗi sáng lúc {reminder_time}; /huynhac để dừng\n"
        "• /ungho: ủng hộ Quỹ khuyến học\n"
        "• /huy: quay về menu bất cứ lúc nào\n"
        "Hoặc cứ gõ câu hỏi, có dấu hay không dấu đều được, ví dụ: “chủ đề năm nay là gì”, “khai mạc ở đâu”."
    ),
    "schedule_title": "📅 <b>Lịch {event}</b> ({start} – {end})",
    "schedule_footer": "Gõ một ngày (ví dụ “3/10”, “thứ năm”) để xem chi tiết.",
    "day_title": "📅 <b>{weekday} {date}</b> · {title}",
    "today_prefix": "Hôm nay, ",
    "tomorrow_prefix": "Ngày mai, ",
    "opening_marker": "⭐ Ngày khai mạc Tuần lễ",
    "before_week": (
        "Tuần lễ chưa bắt đầu: còn <b>{days} ngày</b> nữa, Tuần lễ sẽ bắt đầu ngày {start}.\n"
        "Ngày đầu tiên:\n{first_day}"
    ),
    "after_week": (
        "Tuần lễ đã kết thúc ngày {end}. Cảm ơn bạn đã quan tâm! "
        "Bạn vẫn có thể xem lại lịch (/lich) hoặc ủng hộ Quỹ khuyến học (/ungho)."
    ),
    "outside_week": "Ngày {date} không nằm trong Tuần lễ ({start} – {end}) nên không có hoạt động.",
    "subscribed": (
        "🔔 Đã đăng ký! Mỗi sáng lúc {reminder_time}, từ {start} đến {end}, mình sẽ gửi bạn chương trình trong ngày.\n"
        "Muốn dừng thì gõ /huynhac."
    ),
    "already_subscribed": "Bạn đã đăng ký nhận nhắc rồi (mỗi sáng lúc {reminder_time}). Gõ /huynhac nếu muốn dừng.",
    "subscribe_after_week": "Tuần lễ đã kết thúc ngày {end} nên không còn lịch để nhắc nữa. Cảm ơn bạn!",
    "unsubscribed": "Đã dừng nhắc hằng ngày. Bạn có thể đăng ký lại bất cứ lúc nào bằng /nhacnho.",
    "not_subscribed": "Bạn chưa đăng ký nhắc hằng ngày. Gõ /nhacnho để đăng ký.",
    "cancelled": "Đã hủy. Bạn muốn xem gì tiếp?",
    "faq_list": "Một số câu hỏi thường gặp — bấm để xem câu trả lời, hoặc gõ câu hỏi của bạn:",
    "fallback": (
        "Xin lỗi, mình chưa có câu trả lời cho câu này, và mình không muốn đoán sai. "
        "Mình đã ghi lại để cán bộ phường bổ sung.\n"
        "Bạn có thể hỏi trực tiếp: {contact}."
    ),
    "unknown_command": (
        "Mình không biết lệnh {command}. Các lệnh mình hiểu: /lich, /homnay, /nhacnho, /huynhac, /ungho, /trogiup, /huy."
    ),
    "empty": "Mình chưa nhận được nội dung nào. Bạn gõ câu hỏi hoặc chọn một mục bên dưới nhé.",
    "unsupported": "Mình chỉ đọc được tin nhắn chữ thôi. Bạn gõ câu hỏi hoặc chọn một mục bên dưới nhé.",
    "too_long": (
        "Tin nhắn dài quá ({length} ký tự), mình chưa đọc hết được. Bạn hỏi ngắn gọn giúp mình nhé "
        "(dưới {limit} ký tự). Mình đã chuyển nội dung cho cán bộ phường."
    ),
    "thanks": "Không có gì ạ! Bạn cần gì cứ nhắn mình nhé. 😊",
    "error": "Xin lỗi, mình vừa gặp trục trặc khi xử lý tin nhắn này. Bạn thử lại sau ít phút, hoặc liên hệ {contact}.",
    "btn_schedule": "📅 Lịch tuần",
    "btn_today": "📌 Hôm nay",
    "btn_subscribe": "🔔 Nhắc hằng ngày",
    "btn_unsubscribe": "🔕 Dừng nhắc",
    "btn_pledge": "💝 Ủng hộ",
    "btn_faq": "❓ Hỏi đáp",
    "btn_menu": "🏠 Menu",
    "weekdays": "Thứ Hai|Thứ Ba|Thứ Tư|Thứ Năm|Thứ Sáu|Thứ Bảy|Chủ Nhật",
}

EN = {
    "greeting": (
        "Hello {name}! 👋 I'm the assistant for the <b>{event}</b> in {ward}.\n"
        "This year's theme: <b>“{theme}”</b>, from {start} to {end}.\n"
        "You can see the schedule, ask anything about the week, get a reminder each morning, or donate to the study-encouragement fund."
    ),
    "menu": "What would you like? Pick an option below or type your question.",
    "help": (
        "I can help you with:\n"
        "• /schedule: the whole week\n"
        "• /today: today's program (or type “tomorrow”, “3/10”, “Thursday”...)\n"
        "• /subscribe: a reminder each morning at {reminder_time}; /unsubscribe to stop\n"
        "• /pledge: donate to the study-encouragement fund\n"
        "• /cancel: back to the menu at any time\n"
        "Or just type a question, e.g. “what is the theme”, “where is the opening”."
    ),
    "schedule_title": "📅 <b>{event} schedule</b> ({start} – {end})",
    "schedule_footer": "Type a day (e.g. “3/10”, “Thursday”) for the details.",
    "day_title": "📅 <b>{weekday} {date}</b> · {title}",
    "today_prefix": "Today, ",
    "tomorrow_prefix": "Tomorrow, ",
    "opening_marker": "⭐ Opening day of the week",
    "before_week": (
        "The week has not started yet: <b>{days} days</b> to go, it begins on {start}.\n"
        "The first day:\n{first_day}"
    ),
    "after_week": (
        "The week ended on {end}. Thank you for your interest! "
        "You can still read the schedule (/schedule) or donate to the fund (/pledge)."
    ),
    "outside_week": "{date} is not during the week ({start} – {end}), so nothing is planned.",
    "subscribed": (
        "🔔 Subscribed! Every morning at {reminder_time}, from {start} to {end}, I'll send you the day's program.\n"
        "Type /unsubscribe to stop."
    ),
    "already_subscribed": "You are already subscribed (every morning at {reminder_time}). Type /unsubscribe to stop.",
    "subscribe_after_week": "The week ended on {end}, so there is nothing left to remind you of. Thank you!",
    "unsubscribed": "Daily reminders stopped. You can subscribe again at any time with /subscribe.",
    "not_subscribed": "You are not subscribed to daily reminders. Type /subscribe to start.",
    "cancelled": "Cancelled. What next?",
    "faq_list": "Frequently asked questions — tap one for the answer, or type your own:",
    "fallback": (
        "Sorry, I don't have an answer to that, and I'd rather not guess. "
        "I've noted it for the ward staff.\n"
        "You can ask them directly: {contact}."
    ),
    "unknown_command": (
        "I don't know the command {command}. Commands I understand: /schedule, /today, /subscribe, /unsubscribe, /pledge, /help, /cancel."
    ),
    "empty": "I didn't get any text. Type a question or pick an option below.",
    "unsupported": "I can only read text messages. Type a question or pick an option below.",
    "too_long": (
        "That message is very long ({length} characters), more than I can read. Please ask in a few words "
        "(under {limit} characters). I've passed it on to the ward staff."
    ),
    "thanks": "You're welcome! Message me any time. 😊",
    "error": "Sorry, something went wrong with that message. Please try again in a few minutes, or contact {contact}.",
    "btn_schedule": "📅 Schedule",
    "btn_today": "📌 Today",
    "btn_subscribe": "🔔 Daily reminder",
    "btn_unsubscribe": "🔕 Stop reminders",
    "btn_pledge": "💝 Donate",
    "btn_faq": "❓ Questions",
    "btn_menu": "🏠 Menu",
    "weekdays": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
}

TEXTS = {"vi": VI, "en": EN}

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
}

# Commands, Vietnamese and English names, -> intent.
COMMANDS = {
    "start": "start", "batdau": "start", "menu": "menu",
    "help": "help", "trogiup": "help",
    "schedule": "schedule", "lich": "schedule",
    "today": "today", "homnay": "today",
    "subscribe": "subscribe", "nhacnho": "subscribe",
    "unsubscribe": "unsubscribe", "huynhac": "unsubscribe",
    "pledge": "pledge", "ungho": "pledge",
    "cancel": "cancel", "huy": "cancel",
}

# The command menu a channel shows (name, description), per language.
COMMAND_MENU = {
    "vi": [("lich", "Lịch cả tuần"), ("homnay", "Hoạt động hôm nay"), ("nhacnho", "Nhận nhắc mỗi sáng"),
           ("huynhac", "Dừng nhắc"), ("ungho", "Ủng hộ Quỹ khuyến học"), ("trogiup", "Bot làm được gì"),
           ("huy", "Hủy, quay về menu")],
    "en": [("schedule", "The whole week"), ("today", "Today's program"), ("subscribe", "Daily morning reminder"),
           ("unsubscribe", "Stop reminders"), ("pledge", "Donate to the fund"), ("help", "What I can do"),
           ("cancel", "Cancel, back to the menu")],
}

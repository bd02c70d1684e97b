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
        "• /xoadulieu: xóa dữ liệu cá nhân của bạn\n"
        "Hoặc cứ gõ câu hỏi, có dấu hay không dấu đều được, ví dụ: “chủ đề năm nay là gì”, “khai mạc ở đâu”."
    ),
    "schedule_title": "📅 <b>Lịch {event}</b> ({start} – {end})",
    "schedule_footer": "Gõ một ngày (ví dụ “3/10”, “thứ năm”) để xem chi tiết.",
    "day_title": "📅 <b>{relative}{weekday} {date}</b> · {title}",
    "today_prefix": "Hôm nay, ",
    "tomorrow_prefix": "Ngày mai, ",
    "yesterday_prefix": "Hôm qua, ",
    "day_after_prefix": "Ngày kia, ",
    "days_left_before": "Còn <b>{days} ngày</b> nữa là đến Tuần lễ: bắt đầu ngày {start}, kết thúc ngày {end}.",
    "days_left_during": (
        "Hôm nay là ngày thứ {nth} của Tuần lễ. Còn <b>{days} ngày</b> nữa là kết thúc (ngày {end})."
    ),
    "days_left_last": "Hôm nay là ngày cuối cùng của Tuần lễ ({end}).",
    "days_left_after": "Tuần lễ đã kết thúc ngày {end}. Cảm ơn bạn đã quan tâm!",
    "week_none": "Tuần {first} – {last} không có hoạt động của Tuần lễ (Tuần lễ diễn ra từ {start} đến {end}).",
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
        "🔔 Đã đăng ký! Mỗi sáng lúc {reminder_time}, từ {start} đến {end}, mình sẽ gửi bạn lịch hoạt động trong ngày.\n"
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
        "Mình không biết lệnh {command}. Các lệnh mình hiểu: {commands}."
    ),
    "group_private_only": (
        "Mình chỉ trò chuyện riêng thôi ạ. Bạn nhắn riêng cho mình tại {link} để xem lịch, hỏi đáp, "
        "nhận nhắc mỗi sáng hoặc ủng hộ Quỹ khuyến học nhé."
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
        "• /deletemydata: delete your personal data\n"
        "Or just type a question, e.g. “what is the theme”, “where is the opening”."
    ),
    "schedule_title": "📅 <b>{event} schedule</b> ({start} – {end})",
    "schedule_footer": "Type a day (e.g. “3/10”, “Thursday”) for the details.",
    "day_title": "📅 <b>{relative}{weekday} {date}</b> · {title}",
    "today_prefix": "Today, ",
    "tomorrow_prefix": "Tomorrow, ",
    "yesterday_prefix": "Yesterday, ",
    "day_after_prefix": "The day after tomorrow, ",
    "days_left_before": "<b>{days} days</b> to go: the week starts on {start} and ends on {end}.",
    "days_left_during": "Today is day {nth} of the week. <b>{days} days</b> left until it ends ({end}).",
    "days_left_last": "Today is the last day of the week ({end}).",
    "days_left_after": "The week ended on {end}. Thank you for your interest!",
    "week_none": "Nothing of the week happens from {first} to {last} (the week runs from {start} to {end}).",
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
        "I don't know the command {command}. Commands I understand: {commands}."
    ),
    "group_private_only": (
        "Please chat with me privately: {link} — there you can see the schedule, ask questions, get a "
        "reminder each morning or donate to the fund."
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

# Pledges and the fund (handlers/pledge.py).
VI |= {
    "pledge_ask_amount": (
        "💝 Cảm ơn bạn đã ủng hộ {fund}!\nBạn muốn ủng hộ bao nhiêu? Gõ số tiền (ví dụ: 200k, 1 triệu, 1tr5) "
        "hoặc chọn bên dưới. Gõ /huy để dừng."
    ),
    "pledge_amount_unclear": "Mình chưa hiểu số tiền “{text}”. Bạn gõ lại giúp mình, ví dụ: 200k, 500 nghìn, 1 triệu, 1tr5.",
    "pledge_amount_zero": "Số tiền phải lớn hơn 0 đ. Bạn gõ lại số tiền muốn ủng hộ nhé.",
    "pledge_amount_small": "Số tiền ủng hộ tối thiểu là {min}. Bạn gõ lại số tiền nhé (ví dụ 50k, 200 nghìn).",
    "pledge_step_name": "gõ tên hiển thị hoặc chọn “Ẩn danh”",
    "pledge_amount_negative": "Số tiền không thể là số âm. Bạn gõ lại số tiền muốn ủng hộ nhé.",
    "pledge_amount_too_big": (
        "Khoản ủng hộ trên {max} xin bạn liên hệ trực tiếp phường để được hướng dẫn: {contact}.\n"
        "Hoặc gõ một số tiền khác (tối đa {max})."
    ),
    "pledge_amount_check": "Ý bạn là <b>{amount}</b> phải không?",
    "pledge_ask_name": (
        "Số tiền: <b>{amount}</b>.\nTên hiển thị trên bảng vinh danh là gì? Gõ tên, "
        "hoặc chọn bên dưới (chọn “Ẩn danh” nếu không muốn hiện tên)."
    ),
    "pledge_ask_phone": (
        "Số điện thoại để phường liên hệ xác nhận (không bắt buộc)? "
        "Ví dụ 0912 345 678. Bấm “Bỏ qua” nếu không muốn để lại."
    ),
    "pledge_phone_invalid": "Số điện thoại “{text}” chưa đúng. Bạn gõ lại (ví dụ 0912 345 678 hoặc +84 912 345 678), hoặc bấm “Bỏ qua”.",
    "pledge_summary": (
        "Bạn kiểm tra lại giúp mình:\n• Số tiền: <b>{amount}</b>\n• Tên hiển thị: {name}\n• Điện thoại: {phone}\n"
        "Bấm “Xác nhận” để ghi nhận."
    ),
    "pledge_anonymous": "Nhà hảo tâm ẩn danh",
    "pledge_no_phone": "không để lại",
    "pledge_edit_which": "Bạn muốn sửa mục nào?",
    "pledge_thanks": (
        "🙏 Cảm ơn {name}! Cam kết ủng hộ <b>{amount}</b> đã được ghi nhận, mã <b>{ref}</b>.\n"
        "Bạn có thể xem lại bằng /camket."
    ),
    "pledge_pay_bank": (
        "Cách nộp: chuyển khoản tới {bank} · Số tài khoản <b>{account}</b> · Chủ tài khoản {holder} · "
        "Nội dung: <b>{memo}</b>. Quét mã QR bên dưới bằng ứng dụng ngân hàng, số tiền và nội dung đã điền sẵn."
    ),
    "pledge_pay_office": "Cách nộp: nộp trực tiếp tại {office}, nhớ báo mã <b>{ref}</b>.",
    "pledge_nothing_pending": "Không có cam kết nào đang chờ xác nhận. Gõ /ungho để bắt đầu ủng hộ.",
    "pledge_continue": "(Bạn đang ủng hộ dở: {step}. Gõ /huy để dừng.)",
    "pledge_step_amount": "nhập số tiền",
    "pledge_step_phone": "nhập số điện thoại hoặc bấm “Bỏ qua”",
    "pledge_step_confirm": "bấm “Xác nhận”, “Sửa” hoặc “Hủy”",
    "pledge_cancelled": "Đã hủy, chưa có gì được ghi nhận. Bạn muốn xem gì tiếp?",
    "my_pledges_none": "Bạn chưa có cam kết ủng hộ nào. Gõ /ungho để ủng hộ {fund}.",
    "my_pledges": "Các cam kết ủng hộ của bạn:",
    "my_pledge_line": "• <b>{ref}</b> · {amount} · {status} · {date}",
    "pledge_status_pledged": "chờ nộp",
    "pledge_status_paid": "đã nhận ✅",
    "pledge_status_cancelled": "đã hủy",
    "pledge_cancel_done": "Đã hủy cam kết {ref}.",
    "pledge_cancel_not_allowed": "Cam kết {ref} không thể hủy (chỉ hủy được cam kết của bạn đang chờ nộp).",
    "honour_title": "🏅 <b>Bảng vinh danh {fund}</b>\nTổng quỹ: <b>{total}</b> (gồm {opening} quyên góp tại lễ khai mạc).",
    "honour_none": "Chưa có khoản ủng hộ nào qua bot được xác nhận đã nhận. Hãy là người đầu tiên: /ungho",
    "honour_more": "… và {count} nhà hảo tâm khác.",
    "paid_thanks": (
        "🎉 Phường đã nhận khoản ủng hộ <b>{amount}</b> của bạn (mã {ref}). Xin chân thành cảm ơn "
        "tấm lòng của bạn dành cho {fund}!"
    ),
    "btn_pledge_now": "💝 Ủng hộ ngay",
    "btn_use_name": "Dùng tên “{name}”",
    "btn_anonymous": "🙈 Ẩn danh",
    "btn_skip_phone": "Bỏ qua",
    "btn_confirm": "✅ Xác nhận",
    "btn_edit": "✏️ Sửa",
    "btn_cancel": "❌ Hủy",
    "btn_yes": "Đúng",
    "btn_no": "Không, gõ lại",
    "btn_edit_amount": "Số tiền",
    "btn_edit_name": "Tên",
    "btn_edit_phone": "Điện thoại",
    "btn_cancel_pledge": "Hủy {ref}",
    "btn_my_pledges": "📋 Cam kết của tôi",
    "btn_honour": "🏅 Vinh danh",
}

EN |= {
    "pledge_ask_amount": (
        "💝 Thank you for supporting {fund}!\nHow much would you like to give? Type an amount (e.g. 200k, "
        "1 million, 1tr5) or pick one below. Type /cancel to stop."
    ),
    "pledge_amount_unclear": "I couldn't read the amount “{text}”. Please type it again, e.g. 200k, 500 nghìn, 1 triệu.",
    "pledge_amount_zero": "The amount must be more than 0 đ. Please type the amount again.",
    "pledge_amount_small": "The smallest gift is {min}. Please type the amount again (e.g. 50k, 200 nghìn).",
    "pledge_step_name": "type the name to show, or choose “Anonymous”",
    "pledge_amount_negative": "The amount can't be negative. Please type the amount again.",
    "pledge_amount_too_big": (
        "For gifts above {max} please contact the ward directly: {contact}.\n"
        "Or type another amount (at most {max})."
    ),
    "pledge_amount_check": "Did you mean <b>{amount}</b>?",
    "pledge_ask_name": (
        "Amount: <b>{amount}</b>.\nWhich name should appear on the honour list? Type a name or pick below "
        "(“Anonymous” to hide your name)."
    ),
    "pledge_ask_phone": (
        "A phone number for the ward to confirm with you (optional)? E.g. 0912 345 678. Tap “Skip” to leave none."
    ),
    "pledge_phone_invalid": "“{text}” doesn't look like a Vietnamese phone number. Type it again (e.g. 0912 345 678) or tap “Skip”.",
    "pledge_summary": (
        "Please check:\n• Amount: <b>{amount}</b>\n• Name shown: {name}\n• Phone: {phone}\n"
        "Tap “Confirm” to record it."
    ),
    "pledge_anonymous": "Anonymous donor",
    "pledge_no_phone": "none",
    "pledge_edit_which": "What would you like to change?",
    "pledge_thanks": (
        "🙏 Thank you, {name}! Your pledge of <b>{amount}</b> is recorded, reference <b>{ref}</b>.\n"
        "See your pledges with /mypledges."
    ),
    "pledge_pay_bank": (
        "How to pay: transfer to {bank} · account <b>{account}</b> · holder {holder} · "
        "message: <b>{memo}</b>. Scan the QR code below with your banking app: amount and message are filled in."
    ),
    "pledge_pay_office": "How to pay: in person at {office}; please mention reference <b>{ref}</b>.",
    "pledge_nothing_pending": "There is no pledge waiting for confirmation. Type /pledge to start.",
    "pledge_continue": "(You are in the middle of a pledge: {step}. Type /cancel to stop.)",
    "pledge_step_amount": "type the amount",
    "pledge_step_phone": "type a phone number or tap “Skip”",
    "pledge_step_confirm": "tap “Confirm”, “Edit” or “Cancel”",
    "pledge_cancelled": "Cancelled; nothing was recorded. What next?",
    "my_pledges_none": "You have no pledges yet. Type /pledge to support {fund}.",
    "my_pledges": "Your pledges:",
    "my_pledge_line": "• <b>{ref}</b> · {amount} · {status} · {date}",
    "pledge_status_pledged": "awaiting payment",
    "pledge_status_paid": "received ✅",
    "pledge_status_cancelled": "cancelled",
    "pledge_cancel_done": "Pledge {ref} cancelled.",
    "pledge_cancel_not_allowed": "Pledge {ref} can't be cancelled (only your own pledges awaiting payment can).",
    "honour_title": "🏅 <b>{fund}: honour list</b>\nFund total: <b>{total}</b> (including {opening} given at the opening).",
    "honour_none": "No gift made through the bot has been received yet. Be the first: /pledge",
    "honour_more": "… and {count} more donors.",
    "paid_thanks": (
        "🎉 The ward has received your gift of <b>{amount}</b> (reference {ref}). Thank you so much for "
        "supporting {fund}!"
    ),
    "btn_pledge_now": "💝 Donate now",
    "btn_use_name": "Use “{name}”",
    "btn_anonymous": "🙈 Anonymous",
    "btn_skip_phone": "Skip",
    "btn_confirm": "✅ Confirm",
    "btn_edit": "✏️ Edit",
    "btn_cancel": "❌ Cancel",
    "btn_yes": "Yes",
    "btn_no": "No, type again",
    "btn_edit_amount": "Amount",
    "btn_edit_name": "Name",
    "btn_edit_phone": "Phone",
    "btn_cancel_pledge": "Cancel {ref}",
    "btn_my_pledges": "📋 My pledges",
    "btn_honour": "🏅 Honour list",
}

# Staff (handlers/staff.py).
VI |= {
    "staff_new_pledge": "💝 Cam kết mới <b>{ref}</b>: <b>{amount}</b> · {name} · ĐT: {phone} · qua {channel}",
    "staff_stats": (
        "📊 <b>Thống kê</b>\n• Người dân đã nhắn: {residents}\n• Đăng ký nhắc hằng ngày: {subscribers}\n"
        "• Cam kết chờ nộp: {pledged_count} ({pledged_total})\n• Đã nhận: {paid_count} ({paid_total})\n"
        "• Đã hủy: {cancelled_count} ({cancelled_total})\n• Tổng quỹ (gồm lễ khai mạc): {fund_total}"
    ),
    "staff_unanswered": "\n<b>Câu hỏi bot chưa trả lời được</b> (số lần) — dạy bot: /day số mục, bỏ qua: /boqua số:",
    "staff_unanswered_none": "\nChưa có câu hỏi nào bot không trả lời được.",
    "staff_unanswered_erased": "• Câu hỏi của người dân đã xóa dữ liệu cá nhân (không giữ nội dung): {count}",
    "staff_unanswered_line": "• #{number} {question} ({count})",
    "btn_teach": "Dạy #{number}",
    "btn_dismiss": "🚫 Bỏ qua câu này",
    "teach_usage": (
        "Cách dùng: /day số mục — ví dụ /day 12 theme: câu hỏi số 12 trong /thongke là một cách hỏi mục "
        "“theme”. Các mục: {entries}. Chỉ gõ /day 12 để chọn mục bằng nút."
    ),
    "teach_choose": "Câu hỏi #{number}: “{question}”\nLà hỏi về mục nào? Bấm để dạy bot:",
    "teach_done": "✅ Đã dạy bot: “{question}” → mục {entry}. Bot trả lời câu này ngay từ bây giờ.",
    "teach_no_question": "Không có câu hỏi số {number} (xem số trong /thongke).",
    "teach_no_entry": "Không có mục hỏi đáp “{entry}”. Các mục: {entries}.",
    "dismiss_usage": "Cách dùng: /boqua số — ví dụ /boqua 12 bỏ câu hỏi số 12 khỏi danh sách /thongke.",
    "dismiss_done": "Đã bỏ câu hỏi #{number} khỏi danh sách.",
    "staff_export": "📎 Danh sách {count} cam kết (CSV mở bằng Excel, và XLSX).",
    "staff_paid_usage": "Cách dùng: /danhan KH-0042",
    "staff_paid_unknown": "Không tìm thấy cam kết {ref}.",
    "staff_paid_cancelled": "Cam kết {ref} đã bị hủy, không thể đánh dấu đã nhận.",
    "staff_paid_already": "Cam kết {ref} đã được đánh dấu đã nhận từ trước.",
    "staff_paid_done": "✅ Đã đánh dấu {ref} ({amount}, {name}) là đã nhận và gửi lời cảm ơn tới người ủng hộ.",
}
EN |= {
    "staff_new_pledge": "💝 New pledge <b>{ref}</b>: <b>{amount}</b> · {name} · phone: {phone} · via {channel}",
    "staff_stats": (
        "📊 <b>Statistics</b>\n• Residents who wrote: {residents}\n• Daily reminder subscribers: {subscribers}\n"
        "• Pledges awaiting payment: {pledged_count} ({pledged_total})\n• Received: {paid_count} ({paid_total})\n"
        "• Cancelled: {cancelled_count} ({cancelled_total})\n• Fund total (with the opening): {fund_total}"
    ),
    "staff_unanswered": "\n<b>Questions the bot could not answer</b> (times asked) — teach: /teach number entry, dismiss: /dismiss number:",
    "staff_unanswered_none": "\nNo unanswered questions so far.",
    "staff_unanswered_erased": "• Asked by residents who deleted their personal data (text not kept): {count}",
    "staff_unanswered_line": "• #{number} {question} ({count})",
    "btn_teach": "Teach #{number}",
    "btn_dismiss": "🚫 Dismiss this one",
    "teach_usage": (
        "Usage: /teach number entry — e.g. /teach 12 theme: question 12 of /stats is a way of asking entry "
        "“theme”. Entries: {entries}. Type just /teach 12 to choose the entry with buttons."
    ),
    "teach_choose": "Question #{number}: “{question}”\nWhich entry does it ask about? Tap to teach the bot:",
    "teach_done": "✅ Taught: “{question}” → entry {entry}. The bot answers it from now on.",
    "dismiss_usage": "Usage: /dismiss number — e.g. /dismiss 12 removes question 12 from the /stats list.",
    "dismiss_done": "Question #{number} removed from the list.",
    "staff_export": "📎 {count} pledges (CSV for Excel, and XLSX).",
    "staff_paid_usage": "Usage: /paid KH-0042",
    "staff_paid_unknown": "No pledge {ref} found.",
    "staff_paid_cancelled": "Pledge {ref} was cancelled; it can't be marked paid.",
    "staff_paid_already": "Pledge {ref} was already marked paid.",
    "staff_paid_done": "✅ {ref} ({amount}, {name}) marked paid; the donor has been thanked.",
}

# Reminders and broadcasts (jobs/, handlers/broadcast.py).
VI |= {
    "reminder_hello": "☀️ Chào buổi sáng! Chương trình hôm nay của Tuần lễ:",
    "reminder_last_day": (
        "Hôm nay là ngày cuối của Tuần lễ. {fund} hiện có <b>{total}</b>. Cảm ơn bạn đã đồng hành, "
        "và chúc bạn luôn giữ thói quen tự học!"
    ),
    "reminder_stop": "Gõ /huynhac nếu không muốn nhận nhắc nữa.",
    "subscribed_today": "Hôm nay đã qua giờ nhắc, đây là chương trình hôm nay:",
    "broadcast_ask": "📢 Gõ nội dung thông báo gửi tới {count} người đăng ký. Gõ /huy để dừng.",
    "broadcast_preview": "Xem trước thông báo (gửi tới <b>{count}</b> người):\n\n{text}",
    "broadcast_too_long": "Thông báo dài quá ({length} ký tự); tối đa {limit}. Bạn rút gọn giúp mình.",
    "broadcast_started": "📤 Đang gửi thông báo #{id} tới {count} người. Mình sẽ báo tiến độ.",
    "broadcast_progress": "⏳ Thông báo #{id}: đã gửi {sent}, lỗi {failed}, còn {left}.",
    "broadcast_done": "✅ Thông báo #{id} đã gửi xong: {sent} đã nhận, {failed} lỗi, {blocked} đã chặn bot.",
    "broadcast_message": "📢 <b>Thông báo từ {ward}</b>\n\n{text}",
    "broadcast_nothing": "Không có thông báo nào đang chờ gửi.",
    "btn_send": "📢 Gửi",
    "staff_reminders": "\n<b>Nhắc hằng ngày</b> (đã gửi / lỗi):",
    "staff_reminder_line": "• {date}: {sent} / {failed}",
    "staff_blocked": "• Người đã chặn bot: {count}",
    "staff_unreached": (
        "\n⚠️ <b>Tin báo cho cán bộ không gửi được</b>: {count}. Cán bộ dưới đây cần mở bot và bấm /start "
        "(Telegram không cho bot nhắn trước):"
    ),
    "staff_unreached_line": "• {who}: {count} tin, lần cuối {when}",
}
EN |= {
    "reminder_hello": "☀️ Good morning! Today's program of the week:",
    "reminder_last_day": (
        "Today is the last day of the week. {fund} now stands at <b>{total}</b>. Thank you for taking part, "
        "and keep learning!"
    ),
    "reminder_stop": "Type /unsubscribe to stop these reminders.",
    "subscribed_today": "Today's reminder time has passed, so here is today's program:",
    "broadcast_ask": "📢 Type the notice for {count} subscribers. /cancel to stop.",
    "broadcast_preview": "Preview (to <b>{count}</b> people):\n\n{text}",
    "broadcast_too_long": "That notice is too long ({length} characters); at most {limit}.",
    "broadcast_started": "📤 Sending notice #{id} to {count} people. I'll report progress.",
    "broadcast_progress": "⏳ Notice #{id}: {sent} sent, {failed} failed, {left} left.",
    "broadcast_done": "✅ Notice #{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot.",
    "broadcast_message": "📢 <b>Notice from {ward}</b>\n\n{text}",
    "broadcast_nothing": "No notice is waiting to be sent.",
    "btn_send": "📢 Send",
    "staff_reminders": "\n<b>Daily reminders</b> (sent / failed):",
    "staff_reminder_line": "• {date}: {sent} / {failed}",
    "staff_blocked": "• Residents who blocked the bot: {count}",
    "staff_unreached": (
        "\n⚠️ <b>Staff notices that could not be delivered</b>: {count}. These staff members need to open the "
        "bot and press /start (Telegram does not let a bot write first):"
    ),
    "staff_unreached_line": "• {who}: {count} notices, last {when}",
}

# Personal data (handlers/privacy.py).
VI |= {
    "erase_ask": (
        "Bạn muốn xóa dữ liệu cá nhân của mình? Mình sẽ xóa tên tài khoản chat, dừng nhắc hằng ngày, xóa tên, "
        "số điện thoại trên các cam kết ủng hộ của bạn và những câu hỏi bạn đã gửi mà mình chưa trả lời được. "
        "Số tiền ủng hộ được giữ lại dưới dạng ẩn danh vì là sổ sách của quỹ."
    ),
    "erase_done": "Đã xóa dữ liệu cá nhân của bạn ({pledges} cam kết đã chuyển thành ẩn danh). Cảm ơn bạn.",
    "btn_erase": "🗑 Xóa dữ liệu",
    # A button payload typed as text, or a button from an older message that acts (router).
    "button_not_shown": "Nút này không còn dùng được. Bạn chọn lại ở tin nhắn mới nhất của mình, hoặc gõ /menu nhé.",
}
EN |= {
    "erase_ask": (
        "Delete your personal data? I will delete your chat name, stop the daily reminder, remove the name and "
        "phone number from your pledges, and delete the questions you sent that I could not answer. The amounts "
        "stay, anonymous, as part of the fund's accounts."
    ),
    "erase_done": "Your personal data is deleted ({pledges} pledges made anonymous). Thank you.",
    "btn_erase": "🗑 Delete my data",
    "button_not_shown": "That button no longer works. Please choose from my latest message, or type /menu.",
}

# Zalo (channels/zalo.py, channels/zalobot.py) and what staff see of it.
VI |= {
    "staff_skipped": "\n<b>Tin không gửi theo quy định</b> (số người):",
    "staff_skipped_free_only": "Zalo OA: quá 48 giờ chưa nhắn, tin sẽ mất phí (ZALO_FREE_ONLY)",
    "staff_skipped_window": "Zalo OA: quá 7 ngày chưa nhắn, Zalo không cho gửi",
    "zalobot_qr_text_only": (
        "Kênh này chưa gửi được ảnh mã QR. Bạn chuyển khoản theo thông tin ở trên (nhớ ghi đúng nội dung), "
        "hoặc xin mã QR ở {contact}."
    ),
    "zalobot_file_link": "📎 {name}: {url}\n(Liên kết dùng được trong {minutes} phút.)",
    "zalobot_file_unavailable": "📎 {name}: kênh này không gửi được tệp. Bạn dùng /xuat trên Telegram hoặc "
                                "trong cửa sổ dòng lệnh.",
    "zalo_your_id": "Mã của bạn trên kênh này: {id}\n(Cán bộ phường: thêm {channel}:{id} vào ADMIN_IDS.)",
}
EN |= {
    "staff_skipped": "\n<b>Messages not sent by rule</b> (residents):",
    "staff_skipped_free_only": "Zalo OA: silent for over 48 hours, the message would be billed (ZALO_FREE_ONLY)",
    "staff_skipped_window": "Zalo OA: silent for over 7 days, Zalo refuses the message",
    "zalobot_qr_text_only": (
        "This channel cannot send the QR image yet. Transfer with the details above (keep the message as given), "
        "or ask for the QR code at {contact}."
    ),
    "zalobot_file_link": "📎 {name}: {url}\n(The link works for {minutes} minutes.)",
    "zalobot_file_unavailable": "📎 {name}: this channel cannot send files. Use /export on Telegram or the console.",
    "zalo_your_id": "Your id on this channel: {id}\n(Ward staff: add {channel}:{id} to ADMIN_IDS.)",
}

# The staff web pages' sign-in (handlers/web_signin.py).
VI |= {
    "web_link": (
        "🔐 Đường dẫn đăng nhập trang quản trị (dùng một lần, hết hạn sau {minutes} phút, chỉ dành cho bạn, "
        "đừng chuyển cho ai):\n{url}"
    ),
    "web_link_limit": "Bạn vừa lấy nhiều đường dẫn đăng nhập quá. Thử lại sau {minutes} phút nhé.",
}
EN |= {
    "web_link": (
        "🔐 Sign-in link for the staff pages (single use, expires in {minutes} minutes, for you only; "
        "do not forward it):\n{url}"
    ),
    "web_link_limit": "Too many sign-in links just now. Try again in {minutes} minutes.",
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
    "erase": ["xóa dữ liệu của tôi", "xóa thông tin cá nhân", "xóa số điện thoại của tôi", "delete my data",
              "delete my personal data"],
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

# The command menu a channel shows (name, description), per language.
COMMAND_MENU = {
    "vi": [("lich", "Lịch cả tuần"), ("homnay", "Hoạt động hôm nay"), ("nhacnho", "Nhận nhắc mỗi sáng"),
           ("huynhac", "Dừng nhắc"), ("ungho", "Ủng hộ Quỹ khuyến học"), ("camket", "Cam kết ủng hộ của tôi"),
           ("vinhdanh", "Bảng vinh danh"), ("trogiup", "Bot làm được gì"), ("xoadulieu", "Xóa dữ liệu cá nhân"),
           ("huy", "Hủy, quay về menu")],
    "en": [("schedule", "The whole week"), ("today", "Today's program"), ("subscribe", "Daily morning reminder"),
           ("unsubscribe", "Stop reminders"), ("pledge", "Donate to the fund"), ("mypledges", "My pledges"),
           ("honour", "Honour list"), ("help", "What I can do"), ("deletemydata", "Delete my data"),
           ("cancel", "Cancel, back to the menu")],
}

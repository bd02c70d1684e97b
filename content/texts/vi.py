"""Tiếng Việt: every sentence the bot says that is not ward content (see content/texts/__init__.py)."""
from __future__ import annotations

TEXTS: dict[str, str] = {
    # Greeting, help, the main menu and the buttons every step shares (handlers/menu.py, handlers/common.py).
    "greeting": (
        "Xin chào {name}! 👋 Mình là trợ lý của <b>{event}</b> tại {ward}.\n"
        "Chủ đề năm nay: <b>“{theme}”</b>, từ {start} đến {end}.\n"
        "Bạn có thể xem lịch, hỏi bất cứ điều gì về Tuần lễ, nhận nhắc mỗi sáng, hoặc ủng hộ Quỹ khuyến học."
    ),
    "greeting_default_name": "bạn",
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
    "thanks": "Không có gì ạ! Bạn cần gì cứ nhắn mình nhé. 😊",
    "cancelled": "Đã hủy. Bạn muốn xem gì tiếp?",
    "unknown_command": (
        "Mình không biết lệnh {command}. Các lệnh mình hiểu: {commands}."
    ),
    "empty": "Mình chưa nhận được nội dung nào. Bạn gõ câu hỏi hoặc chọn một mục bên dưới nhé.",
    "unsupported": "Mình chỉ đọc được tin nhắn chữ thôi. Bạn gõ câu hỏi hoặc chọn một mục bên dưới nhé.",
    "btn_schedule": "📅 Lịch tuần",
    "btn_today": "📌 Hôm nay",
    "btn_subscribe": "🔔 Nhắc hằng ngày",
    "btn_unsubscribe": "🔕 Dừng nhắc",
    "btn_pledge": "💝 Ủng hộ",
    "btn_faq": "❓ Hỏi đáp",
    "btn_menu": "🏠 Menu",
    "btn_cancel": "❌ Hủy",
    "btn_edit": "✏️ Sửa",

    # The command menu's descriptions (content/texts/commands.py: MENU).
    "command_schedule": "Lịch cả tuần",
    "command_today": "Hoạt động hôm nay",
    "command_subscribe": "Nhận nhắc mỗi sáng",
    "command_unsubscribe": "Dừng nhắc",
    "command_pledge": "Ủng hộ Quỹ khuyến học",
    "command_my_pledges": "Cam kết ủng hộ của tôi",
    "command_honour": "Bảng vinh danh",
    "command_help": "Bot làm được gì",
    "command_erase": "Xóa dữ liệu cá nhân",
    "command_cancel": "Hủy, quay về menu",


    # The week's program (handlers/schedule.py).
    "schedule_title": "📅 <b>Lịch {event}</b> ({start} – {end})",
    "schedule_footer": "Gõ một ngày (ví dụ “3/10”, “thứ năm”) để xem chi tiết.",
    "schedule_hint": "Gõ /lich để xem lịch từng ngày.",
    "day_title": "📅 <b>{relative}{weekday} {date}</b> · {title}",
    "weekdays": "Thứ Hai|Thứ Ba|Thứ Tư|Thứ Năm|Thứ Sáu|Thứ Bảy|Chủ Nhật",
    "today_prefix": "Hôm nay, ",
    "tomorrow_prefix": "Ngày mai, ",
    "yesterday_prefix": "Hôm qua, ",
    "day_after_prefix": "Ngày kia, ",
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
    "week_none": "Tuần {first} – {last} không có hoạt động của Tuần lễ (Tuần lễ diễn ra từ {start} đến {end}).",
    "days_left_before": "Còn <b>{days} ngày</b> nữa là đến Tuần lễ: bắt đầu ngày {start}, kết thúc ngày {end}.",
    "days_left_during": (
        "Hôm nay là ngày thứ {nth} của Tuần lễ. Còn <b>{days} ngày</b> nữa là kết thúc (ngày {end})."
    ),
    "days_left_last": "Hôm nay là ngày cuối cùng của Tuần lễ ({end}).",
    "days_left_after": "Tuần lễ đã kết thúc ngày {end}. Cảm ơn bạn đã quan tâm!",

    # Daily reminders (handlers/subscribe.py, the morning message in jobs/).
    "subscribed": (
        "🔔 Đã đăng ký! Mỗi sáng lúc {reminder_time}, từ {start} đến {end}, mình sẽ gửi bạn lịch hoạt động trong ngày.\n"
        "Muốn dừng thì gõ /huynhac."
    ),
    "already_subscribed": "Bạn đã đăng ký nhận nhắc rồi (mỗi sáng lúc {reminder_time}). Gõ /huynhac nếu muốn dừng.",
    "subscribe_after_week": "Tuần lễ đã kết thúc ngày {end} nên không còn lịch để nhắc nữa. Cảm ơn bạn!",
    "subscribed_today": "Hôm nay đã qua giờ nhắc, đây là chương trình hôm nay:",
    "unsubscribed": "Đã dừng nhắc hằng ngày. Bạn có thể đăng ký lại bất cứ lúc nào bằng /nhacnho.",
    "not_subscribed": "Bạn chưa đăng ký nhắc hằng ngày. Gõ /nhacnho để đăng ký.",
    "reminder_hello": "☀️ Chào buổi sáng! Chương trình hôm nay của Tuần lễ:",
    "reminder_last_day": (
        "Hôm nay là ngày cuối của Tuần lễ. {fund} hiện có <b>{total}</b>. Cảm ơn bạn đã đồng hành, "
        "và chúc bạn luôn giữ thói quen tự học!"
    ),
    "reminder_stop": "Gõ /huynhac nếu không muốn nhận nhắc nữa.",

    # Questions: the FAQ list, the honest fallback, messages the bot cannot take (handlers/faq.py, handlers/router.py).
    "faq_list": "Một số câu hỏi thường gặp — bấm để xem câu trả lời, hoặc gõ câu hỏi của bạn:",
    "fallback": (
        "Xin lỗi, mình chưa có câu trả lời cho câu này, và mình không muốn đoán sai. "
        "Mình đã ghi lại để cán bộ phường bổ sung.\n"
        "Bạn có thể hỏi trực tiếp: {contact}."
    ),
    "too_long": (
        "Tin nhắn dài quá ({length} ký tự), mình chưa đọc hết được. Bạn hỏi ngắn gọn giúp mình nhé "
        "(dưới {limit} ký tự). Mình đã chuyển nội dung cho cán bộ phường."
    ),
    "button_not_shown": "Nút này không còn dùng được. Bạn chọn lại ở tin nhắn mới nhất của mình, hoặc gõ /menu nhé.",
    "error": "Xin lỗi, mình vừa gặp trục trặc khi xử lý tin nhắn này. Bạn thử lại sau ít phút, hoặc liên hệ {contact}.",

    # Pledging, step by step (handlers/pledge.py).
    "pledge_ask_amount": (
        "💝 Cảm ơn bạn đã ủng hộ {fund}!\nBạn muốn ủng hộ bao nhiêu? Gõ số tiền (ví dụ: 200k, 1 triệu, 1tr5) "
        "hoặc chọn bên dưới. Gõ /huy để dừng."
    ),
    "pledge_amount_unclear": "Mình chưa hiểu số tiền “{text}”. Bạn gõ lại giúp mình, ví dụ: 200k, 500 nghìn, 1 triệu, 1tr5.",
    "pledge_amount_zero": "Số tiền phải lớn hơn 0 đ. Bạn gõ lại số tiền muốn ủng hộ nhé.",
    "pledge_amount_negative": "Số tiền không thể là số âm. Bạn gõ lại số tiền muốn ủng hộ nhé.",
    "pledge_amount_small": "Số tiền ủng hộ tối thiểu là {min}. Bạn gõ lại số tiền nhé (ví dụ 50k, 200 nghìn).",
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
    "pledge_continue": "(Bạn đang ủng hộ dở: {step}. Gõ /huy để dừng.)",
    "pledge_step_amount": "nhập số tiền",
    "pledge_step_name": "gõ tên hiển thị hoặc chọn “Ẩn danh”",
    "pledge_step_phone": "nhập số điện thoại hoặc bấm “Bỏ qua”",
    "pledge_step_confirm": "bấm “Xác nhận”, “Sửa” hoặc “Hủy”",
    "pledge_nothing_pending": "Không có cam kết nào đang chờ xác nhận. Gõ /ungho để bắt đầu ủng hộ.",
    "pledge_cancelled": "Đã hủy, chưa có gì được ghi nhận. Bạn muốn xem gì tiếp?",
    "pledge_thanks": (
        "🙏 Cảm ơn {name}! Cam kết ủng hộ <b>{amount}</b> đã được ghi nhận, mã <b>{ref}</b>.\n"
        "Bạn có thể xem lại bằng /camket."
    ),
    "pledge_pay_bank": (
        "Cách nộp: chuyển khoản tới {bank} · Số tài khoản <b>{account}</b> · Chủ tài khoản {holder} · "
        "Nội dung: <b>{memo}</b>. Quét mã QR bên dưới bằng ứng dụng ngân hàng, số tiền và nội dung đã điền sẵn."
    ),
    "pledge_pay_office": "Cách nộp: nộp trực tiếp tại {office}, nhớ báo mã <b>{ref}</b>.",
    "btn_use_name": "Dùng tên “{name}”",
    "btn_anonymous": "🙈 Ẩn danh",
    "btn_skip_phone": "Bỏ qua",
    "btn_confirm": "✅ Xác nhận",
    "btn_yes": "Đúng",
    "btn_no": "Không, gõ lại",
    "btn_edit_amount": "Số tiền",
    "btn_edit_name": "Tên",
    "btn_edit_phone": "Điện thoại",

    # The resident's pledges, the honour list, the thank-you once paid (handlers/pledge.py, handlers/staff.py).
    "my_pledges_none": "Bạn chưa có cam kết ủng hộ nào. Gõ /ungho để ủng hộ {fund}.",
    "my_pledges": "Các cam kết ủng hộ của bạn:",
    "my_pledge_line": "• <b>{ref}</b> · {amount} · {status} · {date}",
    "pledge_status_pledged": "chờ nộp",
    "pledge_status_paid": "đã nhận ✅",
    "pledge_status_cancelled": "đã hủy",
    "pledge_cancel_done": "Đã hủy cam kết {ref}.",
    "pledge_cancel_not_allowed": "Cam kết {ref} không thể hủy (chỉ hủy được cam kết của bạn đang chờ nộp).",
    "btn_cancel_pledge": "Hủy {ref}",
    "btn_pledge_now": "💝 Ủng hộ ngay",
    "honour_title": "🏅 <b>Bảng vinh danh {fund}</b>\nTổng quỹ: <b>{total}</b> (gồm {opening} quyên góp tại lễ khai mạc).",
    "honour_none": "Chưa có khoản ủng hộ nào qua bot được xác nhận đã nhận. Hãy là người đầu tiên: /ungho",
    "honour_more": "… và {count} nhà hảo tâm khác.",
    "paid_thanks": (
        "🎉 Phường đã nhận khoản ủng hộ <b>{amount}</b> của bạn (mã {ref}). Xin chân thành cảm ơn "
        "tấm lòng của bạn dành cho {fund}!"
    ),

    # Personal data (handlers/privacy.py).
    "erase_ask": (
        "Bạn muốn xóa dữ liệu cá nhân của mình? Mình sẽ xóa tên tài khoản chat, dừng nhắc hằng ngày, xóa tên, "
        "số điện thoại trên các cam kết ủng hộ của bạn và những câu hỏi bạn đã gửi mà mình chưa trả lời được. "
        "Số tiền ủng hộ được giữ lại dưới dạng ẩn danh vì là sổ sách của quỹ."
    ),
    "erase_done": "Đã xóa dữ liệu cá nhân của bạn ({pledges} cam kết đã chuyển thành ẩn danh). Cảm ơn bạn.",
    "btn_erase": "🗑 Xóa dữ liệu",

    # Staff: /thongke (handlers/staff.py).
    "staff_stats": (
        "📊 <b>Thống kê</b>\n• Người dân đã nhắn: {residents}\n• Đăng ký nhắc hằng ngày: {subscribers}\n"
        "• Cam kết chờ nộp: {pledged_count} ({pledged_total})\n• Đã nhận: {paid_count} ({paid_total})\n"
        "• Đã hủy: {cancelled_count} ({cancelled_total})\n• Tổng quỹ (gồm lễ khai mạc): {fund_total}"
    ),
    "staff_blocked": "• Người đã chặn bot: {count}",
    "staff_unreached": (
        "\n⚠️ <b>Tin báo cho cán bộ không gửi được</b>: {count}. Cán bộ dưới đây cần mở bot và bấm /start "
        "(Telegram không cho bot nhắn trước):"
    ),
    "staff_unreached_line": "• {who}: {count} tin, lần cuối {when}",
    "staff_reminders": "\n<b>Nhắc hằng ngày</b> (đã gửi / lỗi):",
    "staff_reminder_line": "• {date}: {sent} / {failed}",
    "staff_unreachable": "\n<b>Không liên lạc được theo quy định nền tảng</b> (số tin không gửi):",
    "staff_unreachable_free_only": "Zalo OA: quá 48 giờ chưa nhắn, tin sẽ mất phí (ZALO_FREE_ONLY)",
    "staff_unreachable_window": "Zalo OA: quá 7 ngày chưa nhắn, Zalo không cho gửi",
    "staff_unanswered": "\n<b>Câu hỏi bot chưa trả lời được</b> (số lần) — dạy bot: /day số mục, bỏ qua: /boqua số:",
    "staff_unanswered_none": "\nChưa có câu hỏi nào bot không trả lời được.",
    "staff_unanswered_line": "• #{number} {question} ({count})",
    "staff_unanswered_erased": "• Câu hỏi của người dân đã xóa dữ liệu cá nhân (không giữ nội dung): {count}",

    # Staff: pledges (handlers/staff.py).
    "staff_new_pledge": "💝 Cam kết mới <b>{ref}</b>: <b>{amount}</b> · {name} · ĐT: {phone} · qua {channel}",
    "staff_export": "📎 Danh sách {count} cam kết (CSV mở bằng Excel, và XLSX).",
    "staff_paid_usage": "Cách dùng: /danhan KH-0042",
    "staff_paid_unknown": "Không tìm thấy cam kết {ref}.",
    "staff_paid_cancelled": "Cam kết {ref} đã bị hủy, không thể đánh dấu đã nhận.",
    "staff_paid_already": "Cam kết {ref} đã được đánh dấu đã nhận từ trước.",
    "staff_paid_done": "✅ Đã đánh dấu {ref} ({amount}, {name}) là đã nhận và gửi lời cảm ơn tới người ủng hộ.",

    # Staff: teaching the bot (handlers/teach.py).
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
    "btn_teach": "Dạy #{number}",
    "btn_dismiss": "🚫 Bỏ qua câu này",

    # Staff: notices to every subscriber (handlers/broadcast.py, jobs/broadcast.py).
    "broadcast_ask": "📢 Gõ nội dung thông báo gửi tới {count} người đăng ký. Gõ /huy để dừng.",
    "broadcast_preview": "Xem trước thông báo (gửi tới <b>{count}</b> người):\n\n{text}",
    "broadcast_too_long": "Thông báo dài quá ({length} ký tự); tối đa {limit}. Bạn rút gọn giúp mình.",
    "broadcast_started": "📤 Đang gửi thông báo #{id} tới {count} người. Mình sẽ báo tiến độ.",
    "broadcast_progress": "⏳ Thông báo #{id}: đã gửi {sent}, lỗi {failed}, còn {left}.",
    "broadcast_done": "✅ Thông báo #{id} đã gửi xong: {sent} đã nhận, {failed} lỗi, {blocked} đã chặn bot.",
    "broadcast_done_unreachable": " {count} người không liên lạc được theo quy định Zalo (xem /thongke).",
    "broadcast_message": "📢 <b>Thông báo từ {ward}</b>\n\n{text}",
    "broadcast_nothing": "Không có thông báo nào đang chờ gửi.",
    "btn_send": "📢 Gửi",

    # Staff: signing in to the staff pages (handlers/web_signin.py).
    "web_link": (
        "🔐 Đường dẫn đăng nhập trang quản trị (dùng một lần, hết hạn sau {minutes} phút, chỉ dành cho bạn, "
        "đừng chuyển cho ai):\n{url}"
    ),
    "web_link_limit": "Bạn vừa lấy nhiều đường dẫn đăng nhập quá. Thử lại sau {minutes} phút nhé.",

    # Channels: Telegram groups, Zalo, the terminal (channels/).
    "group_private_only": (
        "Mình chỉ trò chuyện riêng thôi ạ. Bạn nhắn riêng cho mình tại {link} để xem lịch, hỏi đáp, "
        "nhận nhắc mỗi sáng hoặc ủng hộ Quỹ khuyến học nhé."
    ),
    "zalo_your_id": "Mã của bạn trên kênh này: {id}\n(Cán bộ phường: thêm {channel}:{id} vào ADMIN_IDS.)",
    "zalobot_qr_text_only": (
        "Kênh này chưa gửi được ảnh mã QR. Bạn chuyển khoản theo thông tin ở trên (nhớ ghi đúng nội dung), "
        "hoặc xin mã QR ở {contact}."
    ),
    "zalobot_file_link": "📎 {name}: {url}\n(Liên kết dùng được trong {minutes} phút.)",
    "zalobot_file_unavailable": "📎 {name}: kênh này không gửi được tệp. Bạn dùng /xuat trên Telegram hoặc "
                                "trong cửa sổ dòng lệnh.",
    "console_hint": "Gõ tin nhắn rồi Enter; số hoặc tên nút để bấm nút; Ctrl+D để thoát.",

}

"""English: every sentence the bot says that is not ward content (see content/texts/__init__.py)."""
from __future__ import annotations

TEXTS: dict[str, str] = {
    # Greeting, help, the main menu and the buttons every step shares (handlers/menu.py, handlers/common.py).
    "greeting": (
        "Hello {name}! 👋 I'm the assistant for the <b>{event}</b> in {ward}.\n"
        "This year's theme: <b>“{theme}”</b>, from {start} to {end}.\n"
        "You can see the schedule, ask anything about the week, get a reminder each morning, or donate to the study-encouragement fund."
    ),
    "greeting_default_name": "there",
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
    "thanks": "You're welcome! Message me any time. 😊",
    "cancelled": "Cancelled. What next?",
    "unknown_command": (
        "I don't know the command {command}. Commands I understand: {commands}."
    ),
    "empty": "I didn't get any text. Type a question or pick an option below.",
    "unsupported": "I can only read text messages. Type a question or pick an option below.",
    "btn_schedule": "📅 Schedule",
    "btn_today": "📌 Today",
    "btn_subscribe": "🔔 Daily reminder",
    "btn_unsubscribe": "🔕 Stop reminders",
    "btn_pledge": "💝 Donate",
    "btn_faq": "❓ Questions",
    "btn_menu": "🏠 Menu",
    "btn_cancel": "❌ Cancel",
    "btn_edit": "✏️ Edit",

    # The command menu's descriptions (content/texts/commands.py: MENU).
    "command_schedule": "The whole week",
    "command_today": "Today's program",
    "command_subscribe": "Daily morning reminder",
    "command_unsubscribe": "Stop reminders",
    "command_pledge": "Donate to the fund",
    "command_my_pledges": "My pledges",
    "command_honour": "Honour list",
    "command_help": "What I can do",
    "command_erase": "Delete my data",
    "command_cancel": "Cancel, back to the menu",


    # The week's program (handlers/schedule.py).
    "schedule_title": "📅 <b>{event} schedule</b> ({start} – {end})",
    "schedule_footer": "Type a day (e.g. “3/10”, “Thursday”) for the details.",
    "schedule_hint": "Type /schedule for each day's program.",
    "day_title": "📅 <b>{relative}{weekday} {date}</b> · {title}",
    "weekdays": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    "today_prefix": "Today, ",
    "tomorrow_prefix": "Tomorrow, ",
    "yesterday_prefix": "Yesterday, ",
    "day_after_prefix": "The day after tomorrow, ",
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
    "week_none": "Nothing of the week happens from {first} to {last} (the week runs from {start} to {end}).",
    "days_left_before": "<b>{days} days</b> to go: the week starts on {start} and ends on {end}.",
    "days_left_during": "Today is day {nth} of the week. <b>{days} days</b> left until it ends ({end}).",
    "days_left_last": "Today is the last day of the week ({end}).",
    "days_left_after": "The week ended on {end}. Thank you for your interest!",

    # Daily reminders (handlers/subscribe.py, the morning message in jobs/).
    "subscribed": (
        "🔔 Subscribed! Every morning at {reminder_time}, from {start} to {end}, I'll send you the day's program.\n"
        "Type /unsubscribe to stop."
    ),
    "already_subscribed": "You are already subscribed (every morning at {reminder_time}). Type /unsubscribe to stop.",
    "subscribe_after_week": "The week ended on {end}, so there is nothing left to remind you of. Thank you!",
    "subscribed_today": "Today's reminder time has passed, so here is today's program:",
    "unsubscribed": "Daily reminders stopped. You can subscribe again at any time with /subscribe.",
    "not_subscribed": "You are not subscribed to daily reminders. Type /subscribe to start.",
    "reminder_hello": "☀️ Good morning! Today's program of the week:",
    "reminder_last_day": (
        "Today is the last day of the week. {fund} now stands at <b>{total}</b>. Thank you for taking part, "
        "and keep learning!"
    ),
    "reminder_stop": "Type /unsubscribe to stop these reminders.",

    # Questions: the FAQ list, the honest fallback, messages the bot cannot take (handlers/faq.py, handlers/router.py).
    "faq_list": "Frequently asked questions — tap one for the answer, or type your own:",
    "fallback": (
        "Sorry, I don't have an answer to that, and I'd rather not guess. "
        "I've noted it for the ward staff.\n"
        "You can ask them directly: {contact}."
    ),
    "too_long": (
        "That message is very long ({length} characters), more than I can read. Please ask in a few words "
        "(under {limit} characters). I've passed it on to the ward staff."
    ),
    "button_not_shown": "That button no longer works. Please choose from my latest message, or type /menu.",
    "error": "Sorry, something went wrong with that message. Please try again in a few minutes, or contact {contact}.",

    # Pledging, step by step (handlers/pledge.py).
    "pledge_ask_amount": (
        "💝 Thank you for supporting {fund}!\nHow much would you like to give? Type an amount (e.g. 200k, "
        "1 million, 1tr5) or pick one below. Type /cancel to stop."
    ),
    "pledge_amount_unclear": "I couldn't read the amount “{text}”. Please type it again, e.g. 200k, 500 nghìn, 1 triệu.",
    "pledge_amount_zero": "The amount must be more than 0 đ. Please type the amount again.",
    "pledge_amount_negative": "The amount can't be negative. Please type the amount again.",
    "pledge_amount_small": "The smallest gift is {min}. Please type the amount again (e.g. 50k, 200 nghìn).",
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
    "pledge_continue": "(You are in the middle of a pledge: {step}. Type /cancel to stop.)",
    "pledge_step_amount": "type the amount",
    "pledge_step_name": "type the name to show, or choose “Anonymous”",
    "pledge_step_phone": "type a phone number or tap “Skip”",
    "pledge_step_confirm": "tap “Confirm”, “Edit” or “Cancel”",
    "pledge_nothing_pending": "There is no pledge waiting for confirmation. Type /pledge to start.",
    "pledge_cancelled": "Cancelled; nothing was recorded. What next?",
    "pledge_thanks": (
        "🙏 Thank you, {name}! Your pledge of <b>{amount}</b> is recorded, reference <b>{ref}</b>.\n"
        "See your pledges with /mypledges."
    ),
    "pledge_pay_bank": (
        "How to pay: transfer to {bank} · account <b>{account}</b> · holder {holder} · "
        "message: <b>{memo}</b>. Scan the QR code below with your banking app: amount and message are filled in."
    ),
    "pledge_pay_office": "How to pay: in person at {office}; please mention reference <b>{ref}</b>.",
    "btn_use_name": "Use “{name}”",
    "btn_anonymous": "🙈 Anonymous",
    "btn_skip_phone": "Skip",
    "btn_confirm": "✅ Confirm",
    "btn_yes": "Yes",
    "btn_no": "No, type again",
    "btn_edit_amount": "Amount",
    "btn_edit_name": "Name",
    "btn_edit_phone": "Phone",

    # The resident's pledges, the honour list, the thank-you once paid (handlers/pledge.py, handlers/staff.py).
    "my_pledges_none": "You have no pledges yet. Type /pledge to support {fund}.",
    "my_pledges": "Your pledges:",
    "my_pledge_line": "• <b>{ref}</b> · {amount} · {status} · {date}",
    "pledge_status_pledged": "awaiting payment",
    "pledge_status_paid": "received ✅",
    "pledge_status_cancelled": "cancelled",
    "pledge_cancel_done": "Pledge {ref} cancelled.",
    "pledge_cancel_not_allowed": "Pledge {ref} can't be cancelled (only your own pledges awaiting payment can).",
    "btn_cancel_pledge": "Cancel {ref}",
    "btn_pledge_now": "💝 Donate now",
    "honour_title": "🏅 <b>{fund}: honour list</b>\nFund total: <b>{total}</b> (including {opening} given at the opening).",
    "honour_none": "No gift made through the bot has been received yet. Be the first: /pledge",
    "honour_more": "… and {count} more donors.",
    "paid_thanks": (
        "🎉 The ward has received your gift of <b>{amount}</b> (reference {ref}). Thank you so much for "
        "supporting {fund}!"
    ),

    # Personal data (handlers/privacy.py).
    "erase_ask": (
        "Delete your personal data? I will delete your chat name, stop the daily reminder, remove the name and "
        "phone number from your pledges, and delete the questions you sent that I could not answer. The amounts "
        "stay, anonymous, as part of the fund's accounts."
    ),
    "erase_done": "Your personal data is deleted ({pledges} pledges made anonymous). Thank you.",
    "btn_erase": "🗑 Delete my data",

    # Staff: /thongke (handlers/staff.py).
    "staff_stats": (
        "📊 <b>Statistics</b>\n• Residents who wrote: {residents}\n• Daily reminder subscribers: {subscribers}\n"
        "• Pledges awaiting payment: {pledged_count} ({pledged_total})\n• Received: {paid_count} ({paid_total})\n"
        "• Cancelled: {cancelled_count} ({cancelled_total})\n• Fund total (with the opening): {fund_total}"
    ),
    "staff_blocked": "• Residents who blocked the bot: {count}",
    "staff_unreached": (
        "\n⚠️ <b>Staff notices that could not be delivered</b>: {count}. These staff members need to open the "
        "bot and press /start (Telegram does not let a bot write first):"
    ),
    "staff_unreached_line": "• {who}: {count} notices, last {when}",
    "staff_reminders": "\n<b>Daily reminders</b> (sent / failed):",
    "staff_reminder_line": "• {date}: {sent} / {failed}",
    "staff_unreachable": "\n<b>Residents unreachable under a platform rule</b> (messages not sent):",
    "staff_unreachable_free_only": "Zalo OA: silent for over 48 hours, the message would be billed (ZALO_FREE_ONLY)",
    "staff_unreachable_window": "Zalo OA: silent for over 7 days, Zalo refuses the message",
    "staff_unanswered": "\n<b>Questions the bot could not answer</b> (times asked) — teach: /teach number entry, dismiss: /dismiss number:",
    "staff_unanswered_none": "\nNo unanswered questions so far.",
    "staff_unanswered_line": "• #{number} {question} ({count})",
    "staff_unanswered_erased": "• Asked by residents who deleted their personal data (text not kept): {count}",

    # Staff: pledges (handlers/staff.py).
    "staff_new_pledge": "💝 New pledge <b>{ref}</b>: <b>{amount}</b> · {name} · phone: {phone} · via {channel}",
    "staff_export": "📎 {count} pledges (CSV for Excel, and XLSX).",
    "staff_paid_usage": "Usage: /paid KH-0042",
    "staff_paid_unknown": "No pledge {ref} found.",
    "staff_paid_cancelled": "Pledge {ref} was cancelled; it can't be marked paid.",
    "staff_paid_already": "Pledge {ref} was already marked paid.",
    "staff_paid_done": "✅ {ref} ({amount}, {name}) marked paid; the donor has been thanked.",

    # Staff: teaching the bot (handlers/teach.py).
    "teach_usage": (
        "Usage: /teach number entry — e.g. /teach 12 theme: question 12 of /stats is a way of asking entry "
        "“theme”. Entries: {entries}. Type just /teach 12 to choose the entry with buttons."
    ),
    "teach_choose": "Question #{number}: “{question}”\nWhich entry does it ask about? Tap to teach the bot:",
    "teach_done": "✅ Taught: “{question}” → entry {entry}. The bot answers it from now on.",
    "teach_no_question": "There is no question number {number} (see the numbers in /stats).",
    "teach_no_entry": "There is no FAQ entry “{entry}”. Entries: {entries}.",
    "dismiss_usage": "Usage: /dismiss number — e.g. /dismiss 12 removes question 12 from the /stats list.",
    "dismiss_done": "Question #{number} removed from the list.",
    "btn_teach": "Teach #{number}",
    "btn_dismiss": "🚫 Dismiss this one",

    # Staff: notices to every subscriber (handlers/broadcast.py, jobs/broadcast.py).
    "broadcast_ask": "📢 Type the notice for {count} subscribers. /cancel to stop.",
    "broadcast_preview": "Preview (to <b>{count}</b> people):\n\n{text}",
    "broadcast_too_long": "That notice is too long ({length} characters); at most {limit}.",
    "broadcast_started": "📤 Sending notice #{id} to {count} people. I'll report progress.",
    "broadcast_progress": "⏳ Notice #{id}: {sent} sent, {failed} failed, {left} left.",
    "broadcast_done": "✅ Notice #{id} done: {sent} delivered, {failed} failed, {blocked} blocked the bot.",
    "broadcast_done_unreachable": " {count} unreachable under a Zalo rule (see /stats).",
    "broadcast_message": "📢 <b>Notice from {ward}</b>\n\n{text}",
    "broadcast_nothing": "No notice is waiting to be sent.",
    "btn_send": "📢 Send",

    # Staff: signing in to the staff pages (handlers/web_signin.py).
    "web_link": (
        "🔐 Sign-in link for the staff pages (single use, expires in {minutes} minutes, for you only; "
        "do not forward it):\n{url}"
    ),
    "web_link_limit": "Too many sign-in links just now. Try again in {minutes} minutes.",

    # Channels: Telegram groups, Zalo, the terminal (channels/).
    "group_private_only": (
        "Please chat with me privately: {link} — there you can see the schedule, ask questions, get a "
        "reminder each morning or donate to the fund."
    ),
    "zalo_your_id": "Your id on this channel: {id}\n(Ward staff: add {channel}:{id} to ADMIN_IDS.)",
    "zalobot_qr_text_only": (
        "This channel cannot send the QR image yet. Transfer with the details above (keep the message as given), "
        "or ask for the QR code at {contact}."
    ),
    "zalobot_file_link": "📎 {name}: {url}\n(The link works for {minutes} minutes.)",
    "zalobot_file_unavailable": "📎 {name}: this channel cannot send files. Use /export on Telegram or the console.",
    "console_hint": "Type a message and press Enter; a button's number or label presses it; Ctrl+D to quit.",

}

"""The staff pages: each handler reads what it shows in one short transaction, then renders.

Actions (mark paid, cancel, notice, teach) change the database and write the audit log in one
transaction; messages to residents go out after it commits, as in chat.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import aiohttp_jinja2
import segno
from aiohttp import web
from markupsafe import Markup
from yarl import URL

from channels.staff_web import auth, charts
from content.render import dm, dmy
from core.amounts import format_vnd
from core.delivery import REMINDER_PREFIX, broadcast_key, reminder_key
from core.phone import format_phone
from handlers import broadcast as chat_broadcast
from handlers import staff as chat_staff
from handlers import teach as teaching
from handlers.common import Voice
from handlers.pledge_lists import parse_reference, reference
from handlers.router import Assistant
from jobs.reminders import reminder
from storage import repo
from storage import staff as staff_store
from storage.status import BroadcastStatus, DeliveryStatus, PledgeStatus

log = logging.getLogger(__name__)

STATUS_VI = chat_staff.STATUS_VI
PLEDGE_ROWS = 300              # shown at once; the search narrows it
QUESTION_ROWS = 100
CANCEL_REASON_CHARS = 300
REPEATED_SEND = timedelta(minutes=2)  # the same notice again within this: a double click, not a new one
DELIVERY_SERIES = [(DeliveryStatus.SENT, "Đã gửi", "#2e7d32"), (DeliveryStatus.FAILED, "Lỗi", "#c62828"),
                   (DeliveryStatus.BLOCKED, "Đã chặn bot", "#6d4c41"),
                   (DeliveryStatus.UNREACHABLE, "Không liên lạc được (quy định Zalo)", "#9e9e9e"),
                   (DeliveryStatus.EXPIRED, "Quá hạn gửi", "#bdbdbd")]
PLEDGE_SERIES = [(PledgeStatus.PAID, "Đã nhận", "#2e7d32"), (PledgeStatus.PLEDGED, "Chờ nộp", "#f9a825"),
                 (PledgeStatus.CANCELLED, "Đã hủy", "#9e9e9e")]
DEEP_LINKS = [("lich", "Xem lịch Tuần lễ"), ("nhacnho", "Nhận nhắc mỗi sáng"), ("ungho", "Ủng hộ Quỹ khuyến học")]
MESSAGES = {  # ?kq=... after an action: fixed sentences, never text from the address bar
    "paid": "Đã đánh dấu {ref} là đã nhận và gửi lời cảm ơn tới người ủng hộ.",
    "paid_already": "{ref} đã được đánh dấu đã nhận từ trước.",
    "paid_cancelled": "{ref} đã bị hủy, không thể đánh dấu đã nhận.",
    "paid_unknown": "Không tìm thấy cam kết {ref}.",
    "cancelled": "Đã hủy cam kết {ref}.",
    "cancel_not_allowed": "Không hủy được {ref}: chỉ hủy được cam kết đang chờ nộp.",
    "cancel_reason": "Cần ghi lý do hủy {ref}.",
    "taught": "Đã dạy bot câu hỏi; bot dùng câu trả lời này ngay từ bây giờ.",
    "dismissed": "Đã bỏ qua câu hỏi.",
    "teach_failed": "Không dạy được câu hỏi này (câu hỏi hoặc mục hỏi đáp không còn).",
}


class Pages:
    def __init__(self, assistant: Assistant, config, telegram=None) -> None:
        self.assistant = assistant
        self.week = assistant.week
        self.config = config
        self.telegram = telegram
        self.voice = Voice(assistant.week, "vi")
        self.brake = auth.SignInBrake(assistant.clock)

    @property
    def storage(self):
        return self.assistant.storage

    def now(self) -> datetime:
        return self.assistant.clock.now()

    def local(self, when: datetime | None, fmt: str = "%d/%m %H:%M") -> str:
        return when.astimezone(self.week.tz).strftime(fmt) if when else ""

    def render(self, request: web.Request, template: str, page: str, **context) -> web.Response:
        signed_in = request.get(auth.STAFF)
        context.update(page=page, week=self.week, staff=signed_in.staff if signed_in else None,
                       csrf=signed_in.csrf if signed_in else "", money=format_vnd, local=self.local,
                       message=self._message(request))
        return aiohttp_jinja2.render_template(template, request, context)

    def _message(self, request: web.Request) -> str | None:
        code = request.query.get("kq")
        if code not in MESSAGES:
            return None
        ref = reference(int(request.query["ma"])) if request.query.get("ma", "").isdigit() else ""
        return MESSAGES[code].format(ref=ref)

    def audit(self, session, request: web.Request, action: str, target: str, detail: str = ""):
        return staff_store.record_action(session, request[auth.STAFF].staff, "web", action, target, detail, self.now())

    # Signing in ---------------------------------------------------------------------------

    async def signed_out(self, request: web.Request) -> web.Response:
        return self.render(request, "signed_out.html", "signin", signed_off="ra" in request.query)

    def _check_brake(self, request: web.Request) -> None:
        if self.brake.blocked(auth.client_address(request)):
            raise web.HTTPTooManyRequests(text="Thử đăng nhập sai quá nhiều lần. Đợi 10 phút rồi gửi /web lại.\n")

    def _link_refused(self, request: web.Request, staff: str | None) -> web.Response | None:
        """The "link no longer works" page (410) when the link gave no current staff member."""
        if staff is not None and auth.is_staff(self.assistant.admins, staff):
            return None
        self.brake.failed(auth.client_address(request))
        response = self.render(request, "link_invalid.html", "signin")
        response.set_status(410)
        return response

    async def sign_in_page(self, request: web.Request) -> web.Response:
        """What a sign-in link opens: one button; only the browser's POST spends the link."""
        self._check_brake(request)
        async with self.storage.session() as s:
            staff = await staff_store.peek_link(s, request.match_info["token"], self.now())
        refused = self._link_refused(request, staff)  # a Response is a mapping: test it against None
        return self.render(request, "sign_in.html", "signin") if refused is None else refused

    async def sign_in(self, request: web.Request) -> web.Response:
        self._check_brake(request)
        async with self.storage.session() as s, s.begin():
            staff = await staff_store.use_link(s, request.match_info["token"], self.now())
        refused = self._link_refused(request, staff)
        if refused is not None:
            return refused
        response = web.HTTPSeeOther("/staff/")
        await auth.start_session(self.storage, self.assistant.clock, response, staff, self.config.secure)
        raise response

    async def sign_out(self, request: web.Request) -> web.Response:
        response = web.HTTPSeeOther("/dang-nhap/?ra=1")
        await auth.end_session(self.storage, self.assistant.clock, request, response)
        raise response

    # Tổng quan ----------------------------------------------------------------------------

    async def overview(self, request: web.Request) -> web.Response:
        async with self.storage.session() as s:
            residents, subscribers = await repo.count_residents(s)
            totals = await repo.pledge_totals(s)
            blocked = await repo.count_blocked(s)
            pledges = await staff_store.pledge_days(s)
            reminders = await repo.delivery_counts(s, REMINDER_PREFIX)
        opening = self.week.fund.raised_at_opening
        figures = {status: totals.get(status, (0, 0)) for status in PledgeStatus}
        return self.render(
            request, "overview.html", "overview", residents=residents, subscribers=subscribers, blocked=blocked,
            figures=figures, status_vi=STATUS_VI, opening=opening, fund_total=opening + figures[PledgeStatus.PAID][1],
            pledge_chart=Markup(self._pledge_chart(pledges)), reminder_chart=Markup(self._reminder_chart(reminders)))

    def _pledge_chart(self, pledges: list[tuple[datetime, str, int]]) -> str:
        per_day: dict[date, dict[str, int]] = {}
        for created, status, _amount in pledges:
            day = created.astimezone(self.week.tz).date()
            per_day.setdefault(day, {}).setdefault(status, 0)
            per_day[day][status] += 1
        days = _day_range(set(per_day) | set(self.week.event.days()))
        series = [(name, colour, [per_day.get(d, {}).get(key, 0) for d in days]) for key, name, colour in PLEDGE_SERIES]
        return charts.stacked_bars([dm(d) for d in days], series, "Số cam kết mỗi ngày")

    def _reminder_chart(self, counts: dict[str, dict[str, int]]) -> str:
        days = list(self.week.event.days())
        by_day = [_outcomes(counts.get(reminder_key(d), {})) for d in days]
        series = [(name, colour, [c[key] for c in by_day]) for key, name, colour in DELIVERY_SERIES]
        return charts.stacked_bars([dm(d) for d in days], series, "Nhắc hằng ngày theo kết quả")

    # Cam kết -------------------------------------------------------------------------------

    async def pledges(self, request: web.Request) -> web.Response:
        status = request.query.get("trang_thai", "")
        status = status if status in STATUS_VI else ""
        search = request.query.get("tim", "").strip()[:100]
        sort = request.query.get("xep", "new")
        sort = sort if sort in staff_store.PLEDGE_SORTS else "new"
        async with self.storage.session() as s:
            rows, total = await staff_store.find_pledges(
                s, status=status or None, search=search, pledge_id=parse_reference(search) if search else None,
                sort=sort, limit=PLEDGE_ROWS)
        shown = [{"id": p.id, "ref": reference(p.id), "created": self.local(p.created_at), "amount": p.amount,
                  "name": p.display_name or "", "anonymous": p.anonymous,
                  "phone": format_phone(p.phone) if p.phone else "", "status": p.status,
                  "paid_at": self.local(p.paid_at), "channel": r.channel, "chat_name": r.name or ""}
                 for p, r in rows]
        back = request.path_qs
        return self.render(request, "pledges.html", "pledges", rows=shown, total=total, status=status, search=search,
                           sort=sort, status_vi=STATUS_VI, back=back, limit=PLEDGE_ROWS)

    async def mark_paid(self, request: web.Request) -> web.Response:
        pledge_id = int(request.match_info["id"])
        async with self.storage.session() as s, s.begin():
            outcome, pledge, thanks = await chat_staff.mark_paid(s, self.week, pledge_id, self.now())
            if outcome == "done":
                await self.audit(s, request, "paid", reference(pledge_id), format_vnd(pledge.amount))
        if thanks is not None:  # after the commit, as /danhan does
            await self.assistant.deliver(thanks)
        code = "paid" if outcome == "done" else f"paid_{outcome}"
        raise web.HTTPSeeOther(await self._back(request, code, pledge_id))

    async def cancel(self, request: web.Request) -> web.Response:
        pledge_id = int(request.match_info["id"])
        reason = " ".join(str((await request.post()).get("ly_do", "")).split())[:CANCEL_REASON_CHARS]
        if not reason:
            raise web.HTTPSeeOther(await self._back(request, "cancel_reason", pledge_id))
        async with self.storage.session() as s, s.begin():
            done = await repo.transition_pledge(s, pledge_id, PledgeStatus.PLEDGED, PledgeStatus.CANCELLED, self.now())
            if done:
                await self.audit(s, request, "cancel", reference(pledge_id), reason)
        raise web.HTTPSeeOther(await self._back(request, "cancelled" if done else "cancel_not_allowed", pledge_id))

    async def _back(self, request: web.Request, code: str, pledge_id: int) -> str:
        """Back to the list as it was (its filters), with the outcome."""
        back = str((await request.post()).get("quay_lai", ""))
        if not back.startswith("/staff/cam-ket"):  # only our own page: never an open redirect
            back = "/staff/cam-ket"
        return str(URL(back).update_query(kq=code, ma=str(pledge_id)))

    async def export_csv(self, request: web.Request) -> web.Response:
        return await self._export(request, "csv")

    async def export_xlsx(self, request: web.Request) -> web.Response:
        return await self._export(request, "xlsx")

    async def _export(self, request: web.Request, kind: str) -> web.Response:
        """The same files as /xuat."""
        async with self.storage.session() as s, s.begin():
            rows = [chat_staff._row(self.voice, p, r) for p, r in await repo.all_pledges(s)]
            await self.audit(s, request, "export", kind, f"{len(rows)} cam kết")
        stamp = self.local(self.now(), "%Y%m%d-%H%M")
        data = chat_staff._csv(rows) if kind == "csv" else chat_staff._xlsx(rows)
        content_type = ("text/csv" if kind == "csv"
                        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return web.Response(body=data, content_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="cam-ket-{stamp}.{kind}"'})

    # Câu hỏi chưa trả lời --------------------------------------------------------------------

    async def questions(self, request: web.Request) -> web.Response:
        """Open questions, one row per wording (as folded: case, marks and spacing aside)."""
        rows = [{"id": q.id, "text": q.text[:300], "count": q.count, "first": self.local(q.first_seen),
                 "last": self.local(q.last_seen)} for q in await teaching.unanswered(self.assistant, QUESTION_ROWS)]
        faq = [(entry.id, entry.ask.vi[0] if entry.ask.vi else entry.id) for entry in self.week.faq]
        return self.render(request, "questions.html", "questions", rows=rows, faq=faq)

    async def teach(self, request: web.Request) -> web.Response:
        """The same teaching as /day: the bot answers this wording with the entry at once."""
        faq_id = str((await request.post()).get("faq", ""))
        question_id = int(request.match_info["id"])
        try:
            text = await teaching.teach(self.assistant, question_id, faq_id, request[auth.STAFF].staff)
        except ValueError:  # the question is gone (taught by someone else) or no such entry
            raise web.HTTPSeeOther("/staff/cau-hoi?kq=teach_failed")
        async with self.storage.session() as s, s.begin():
            await self.audit(s, request, "teach", f"question:{question_id}", f"faq:{faq_id} {text}")
        raise web.HTTPSeeOther("/staff/cau-hoi?kq=taught")

    async def dismiss(self, request: web.Request) -> web.Response:
        question_id = int(request.match_info["id"])
        try:
            await teaching.dismiss(self.assistant, question_id, request[auth.STAFF].staff)
        except ValueError:
            raise web.HTTPSeeOther("/staff/cau-hoi?kq=teach_failed")
        async with self.storage.session() as s, s.begin():
            await self.audit(s, request, "dismiss", f"question:{question_id}")
        raise web.HTTPSeeOther("/staff/cau-hoi?kq=dismissed")

    # Thông báo -----------------------------------------------------------------------------

    async def notices(self, request: web.Request, text: str = "", error: str = "") -> web.Response:
        async with self.storage.session() as s:
            by_channel = await staff_store.subscribers_by_channel(s)
            recent = await staff_store.recent_broadcasts(s)
        return self.render(request, "notices.html", "notices", text=text, error=error, limit=chat_broadcast.MAX_CHARS,
                           channels=self._channels(by_channel), recent=recent)

    def _channels(self, by_channel: dict[str, int]) -> list[dict]:
        """Subscribers per channel, and whether this process sends there (the broadcast job
        sends on the channels running here)."""
        names = sorted(set(by_channel) | set(self.assistant.senders))
        return [{"name": n, "count": by_channel.get(n, 0), "running": n in self.assistant.senders} for n in names]

    async def notice_preview(self, request: web.Request) -> web.Response:
        text = str((await request.post()).get("noi_dung", "")).strip()
        if not text:
            return await self.notices(request, text, "Chưa có nội dung thông báo.")
        if len(text) > chat_broadcast.MAX_CHARS:
            return await self.notices(request, text, f"Thông báo dài {len(text)} ký tự; tối đa "
                                                     f"{chat_broadcast.MAX_CHARS}.")
        async with self.storage.session() as s:
            by_channel = await staff_store.subscribers_by_channel(s)
        channels = self._channels(by_channel)
        preview = self.voice.say("broadcast_message", ward=self.week.ward.name.get("vi"), text=text)
        return self.render(request, "notice_preview.html", "notices", text=text, preview=Markup(preview),
                           channels=channels, recipients=sum(c["count"] for c in channels if c["running"]))

    async def notice_send(self, request: web.Request) -> web.Response:
        text = str((await request.post()).get("noi_dung", "")).strip()
        if not text or len(text) > chat_broadcast.MAX_CHARS:
            return await self.notices(request, text, "Nội dung thông báo không hợp lệ; xem lại rồi gửi.")
        staff_channel, _, staff_id = request[auth.STAFF].staff.partition(":")
        now = self.now()
        async with self.storage.session() as s, s.begin():
            earlier = await staff_store.same_broadcast_since(s, text, staff_channel, staff_id, now - REPEATED_SEND)
            if earlier is None:
                notice = await repo.create_broadcast(s, text, staff_channel, staff_id, now)
                await self.audit(s, request, "broadcast", broadcast_key(notice.id), text)
        if earlier is not None:  # a second click: show the first one's progress
            raise web.HTTPSeeOther(f"/staff/thong-bao/{earlier}")
        jobs = self.assistant.ports.jobs
        if jobs is not None:  # otherwise the next start-up sends it (Broadcasts.resume)
            jobs.start_broadcast(notice.id)
        raise web.HTTPSeeOther(f"/staff/thong-bao/{notice.id}")

    async def notice_progress(self, request: web.Request) -> web.Response:
        notice_id = int(request.match_info["id"])
        async with self.storage.session() as s:
            notice = await repo.get_broadcast(s, notice_id)
            if notice is None:
                raise web.HTTPNotFound(text="Không có thông báo này.\n")
            counts = _outcomes((await repo.delivery_counts(s, broadcast_key(notice_id))).get(
                broadcast_key(notice_id), {}))
            sending = notice.status == BroadcastStatus.SENDING
            left = (await staff_store.count_not_yet_reached(s, broadcast_key(notice_id), list(self.assistant.senders))
                    if sending else 0)
        preview = self.voice.say("broadcast_message", ward=self.week.ward.name.get("vi"), text=notice.text)
        return self.render(request, "notice_progress.html", "notices", notice=notice, counts=counts, left=left,
                           series=DELIVERY_SERIES, preview=Markup(preview))

    # Nhắc hằng ngày ------------------------------------------------------------------------

    async def reminders(self, request: web.Request) -> web.Response:
        async with self.storage.session() as s:
            counts = await repo.delivery_counts(s, REMINDER_PREFIX)
            paid = (await repo.pledge_totals(s)).get(PledgeStatus.PAID, (0, 0))[1]
        fund_total = self.week.fund.raised_at_opening + paid
        days = [{"date": dmy(d), "weekday": _WEEKDAYS[d.weekday()], "time": self.week.reminder_time,
                 "counts": _outcomes(counts.get(reminder_key(d), {})),
                 "text": Markup(reminder(self.voice, d, fund_total)[0].text)} for d in self.week.event.days()]
        return self.render(request, "reminders.html", "reminders", days=days, series=DELIVERY_SERIES)

    # In ấn ---------------------------------------------------------------------------------

    async def honour_list(self, request: web.Request) -> web.Response:
        async with self.storage.session() as s:
            paid = await repo.paid_pledges(s)
        named = [(p.display_name, p.amount) for p in paid if p.display_name and not p.anonymous]
        anonymous = [p.amount for p in paid if not p.display_name or p.anonymous]
        opening = self.week.fund.raised_at_opening
        return self.render(request, "honour.html", "print", named=named, anonymous_count=len(anonymous),
                           anonymous_total=sum(anonymous), opening=opening,
                           fund_total=opening + sum(p.amount for p in paid))

    async def poster(self, request: web.Request) -> web.Response:
        return self.render(request, "poster.html", "print", codes=self._poster_codes(),
                           start=dmy(self.week.event.start), end=dmy(self.week.event.end))

    def _poster_codes(self) -> list[dict]:
        codes = []
        username = self._telegram_username()
        if username:
            for word, label in DEEP_LINKS:
                url = f"https://t.me/{username}?start={word}"
                codes.append({"label": label, "where": "Telegram", "url": url, "svg": _qr(url)})
        for where, url in (("Zalo OA", self.config.zalo_oa_url), ("Zalo Bot", self.config.zalo_bot_url)):
            if url:
                codes.append({"label": "Nhắn bot trên Zalo", "where": where, "url": url, "svg": _qr(url)})
        return codes

    def _telegram_username(self) -> str | None:
        if self.config.telegram_username:
            return self.config.telegram_username.lstrip("@")
        try:  # known once the running channel has asked Telegram (getMe)
            return self.telegram.app.bot.username if self.telegram is not None else None
        except RuntimeError:
            return None

    # Nhật ký -------------------------------------------------------------------------------

    async def audit_page(self, request: web.Request) -> web.Response:
        async with self.storage.session() as s:
            actions = await staff_store.recent_actions(s)
        return self.render(request, "audit.html", "audit", actions=actions, names=_ACTION_VI)


_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
_ACTION_VI = {"paid": "Đánh dấu đã nhận", "cancel": "Hủy cam kết", "broadcast": "Gửi thông báo",
              "teach": "Dạy bot", "dismiss": "Bỏ qua câu hỏi", "export": "Tải danh sách", "sign_in": "Đăng nhập"}


def _outcomes(counts: dict[str, int]) -> dict[str, int]:
    """Delivery statuses as the pages show them: the settled ones (not claimed, not waiting to retry)."""
    return {status: counts.get(status, 0) for status, _, _ in DELIVERY_SERIES}


def _day_range(days: set[date], most: int = 31) -> list[date]:
    """Every day from the first to the last given (the last `most` of them)."""
    first, last = min(days), max(days)
    first = max(first, last - timedelta(days=most - 1))
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _qr(url: str) -> Markup:
    return Markup(segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True))

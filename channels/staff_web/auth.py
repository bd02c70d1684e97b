"""Who may see the staff pages: one-time sign-in links, session cookies, CSRF tokens.

A link from /web opens a page with one button: a link scanner (a chat app fetching a preview)
only GETs, so it cannot spend the link; the browser's POST does, and gets the session cookie
(HttpOnly, SameSite=Strict, Secure under https, 12 hours). Every POST under /staff carries the
session's CSRF token. Sessions and links are in the database; nothing here is per process
except the count of failed sign-in attempts per address (a brake on guessing, not a secret).
"""
from __future__ import annotations

import hmac
import logging
import secrets
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from core.clock import Clock
from storage import staff as staff_store
from storage.db import Storage

log = logging.getLogger(__name__)

COOKIE = "staff_session"
SESSION_LASTS = timedelta(hours=12)
FAILED_SIGN_INS = 10             # per address and window, then 429
FAILED_WINDOW = timedelta(minutes=10)
SIGNED_OUT_PAGE = "/dang-nhap/"


@dataclass(frozen=True)
class SignedIn:
    staff: str  # "telegram:123456"
    csrf: str


STAFF = web.RequestKey("staff", SignedIn)


class SignInBrake:
    """Failed sign-in attempts per client address in a sliding window: after too many, refuse."""

    def __init__(self, clock: Clock, limit: int = FAILED_SIGN_INS, window: timedelta = FAILED_WINDOW) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self._failures: dict[str, deque[datetime]] = {}

    def blocked(self, address: str) -> bool:
        failures = self._failures.get(address)
        if not failures:
            return False
        cutoff = self.clock.now() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if not failures:
            del self._failures[address]
        return len(failures) >= self.limit

    def failed(self, address: str) -> None:
        if len(self._failures) > 10_000:  # bounded: forget the oldest addresses first
            self._failures.pop(next(iter(self._failures)))
        self._failures.setdefault(address, deque()).append(self.clock.now())


def client_address(request: web.Request) -> str:
    """Who is signing in, for the brake. Behind a proxy on this machine (nginx, a tunnel) every
    request comes from loopback: then the address the proxy appended to X-Forwarded-For, so that
    one stranger's guesses do not lock out the whole ward office. Elsewhere the header is not
    trusted (anyone could send it)."""
    remote = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in ("127.0.0.1", "::1") and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return remote


async def start_session(storage: Storage, clock: Clock, response: web.StreamResponse, staff: str,
                        secure: bool) -> None:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    async with storage.session() as s, s.begin():
        await staff_store.forget_expired(s, clock.now() - timedelta(days=1))
        await staff_store.add_session(s, token, staff, csrf, clock.now(), SESSION_LASTS)
        await staff_store.record_action(s, staff, "web", "sign_in", "web", "", clock.now())
    response.set_cookie(COOKIE, token, max_age=int(SESSION_LASTS.total_seconds()), path="/staff", httponly=True,
                        samesite="Strict", secure=secure)


async def end_session(storage: Storage, clock: Clock, request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        async with storage.session() as s, s.begin():
            await staff_store.end_session(s, token, clock.now())
    response.del_cookie(COOKIE, path="/staff")


def is_staff(admins: frozenset[tuple[str, str]], staff: str) -> bool:
    channel, _, user = staff.partition(":")
    return (channel, user) in admins


def require_session(storage: Storage, clock: Clock, admins: frozenset[tuple[str, str]]):
    """Middleware of the /staff application: a live session of someone still in ADMIN_IDS, and
    its CSRF token on every POST."""

    @web.middleware
    async def middleware(request: web.Request, handler):
        token = request.cookies.get(COOKIE)
        found = None
        if token:
            async with storage.session() as s:
                found = await staff_store.live_session(s, token, clock.now())
        if found is None or not is_staff(admins, found.staff):
            if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                raise web.HTTPSeeOther(SIGNED_OUT_PAGE)
            raise web.HTTPUnauthorized(text="Cần đăng nhập: gửi /web cho bot để nhận đường dẫn.\n")
        if request.method not in ("GET", "HEAD"):
            form = await request.post()
            sent = form.get("csrf")
            if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), found.csrf.encode()):
                raise web.HTTPForbidden(text="Thiếu hoặc sai mã bảo vệ biểu mẫu (CSRF). Tải lại trang rồi thử lại.\n")
        request[STAFF] = SignedIn(found.staff, found.csrf)
        return await handler(request)

    return middleware


@web.middleware
async def private_headers(request: web.Request, handler):
    """Nothing staff-only is cached, framed, or allowed to load anything from elsewhere."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _harden(exc)
        raise
    _harden(response)
    return response


def _harden(response: web.StreamResponse) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the sign-in link must not leak onwards
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")

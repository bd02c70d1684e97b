"""The staff web pages, inside `bot.py serve`'s aiohttp server (channels/web.py).

/dang-nhap/...  public: "send /web to the bot", and the page a sign-in link opens
/staff/...      everything else, behind a session (auth.py)
/static/staff.css  the one stylesheet
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from channels.staff_web import auth, pages
from handlers.router import Assistant

HERE = Path(__file__).resolve().parent


async def to_overview(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/staff/")


@dataclass(frozen=True)
class StaffWebConfig:
    """Settings the pages need (settings.py): the public address, and the bot's public links."""

    public_url: str | None = None
    telegram_username: str | None = None  # else asked of the running Telegram channel
    zalo_oa_url: str | None = None
    zalo_bot_url: str | None = None

    @property
    def secure(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))


def add_staff_web(app: web.Application, assistant: Assistant, config: StaffWebConfig, telegram=None) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                         undefined=jinja2.StrictUndefined)
    views = pages.Pages(assistant, config, telegram)
    css = (HERE / "static" / "staff.css").read_bytes()

    async def stylesheet(request: web.Request) -> web.Response:
        return web.Response(body=css, content_type="text/css", headers={"Cache-Control": "max-age=3600"})

    app.router.add_get("/static/staff.css", stylesheet)
    app.router.add_get("/staff", to_overview)

    public = web.Application(middlewares=[auth.private_headers])
    public.router.add_get("/", views.signed_out)
    public.router.add_get("/{token}", views.sign_in_page)
    public.router.add_post("/{token}", views.sign_in)
    app.add_subapp("/dang-nhap/", public)

    staff = web.Application(middlewares=[auth.private_headers,
                                         auth.require_session(assistant.storage, assistant.clock, assistant.admins)])
    staff.router.add_get("/", views.overview)
    staff.router.add_get("/cam-ket", views.pledges)
    staff.router.add_get("/cam-ket.csv", views.export_csv)
    staff.router.add_get("/cam-ket.xlsx", views.export_xlsx)
    staff.router.add_post("/cam-ket/{id:[0-9]{1,18}}/da-nhan", views.mark_paid)
    staff.router.add_post("/cam-ket/{id:[0-9]{1,18}}/huy", views.cancel)
    staff.router.add_get("/cau-hoi", views.questions)
    staff.router.add_post("/cau-hoi/{id:[0-9]{1,18}}/day", views.teach)
    staff.router.add_post("/cau-hoi/{id:[0-9]{1,18}}/bo-qua", views.dismiss)
    staff.router.add_get("/thong-bao", views.notices)
    staff.router.add_post("/thong-bao/xem-truoc", views.notice_preview)
    staff.router.add_post("/thong-bao/gui", views.notice_send)
    staff.router.add_get("/thong-bao/{id:[0-9]{1,18}}", views.notice_progress)
    staff.router.add_get("/nhac-nho", views.reminders)
    staff.router.add_get("/in/bang-vang", views.honour_list)
    staff.router.add_get("/in/ap-phich", views.poster)
    staff.router.add_get("/nhat-ky", views.audit_page)
    staff.router.add_post("/dang-xuat", views.sign_out)
    app.add_subapp("/staff/", staff)

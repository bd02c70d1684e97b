"""The staff pages over real HTTP (aiohttp client to the server on 127.0.0.1): sign-in by
one-time link, the session and CSRF rules, and each page's actions. The browser tests
(test_staff_web_browser.py) go through the same flows in Chromium."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import aiohttp
import pytest
from yarl import URL

from channels.staff_web import StaffWebConfig, charts
from channels.web import build_web_app, start_web
from conftest import BEFORE_WEEK, Chat, RecordingChannel, bound_port
from core.clock import ManualClock
from handlers import teach
from handlers.router import Assistant
from bot import connect
from staff_web_helpers import add_pledge, seed_week, sign_in_link, staff_server
from storage import repo
from storage import staff as staff_store
from storage.db import Storage
from storage.models import StaffLink, StaffSession

HTML = {"Accept": "text/html"}


def client() -> aiohttp.ClientSession:
    # unsafe=True: keep cookies from an IP address (127.0.0.1), as a browser does.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def signed_in(http: aiohttp.ClientSession, link: str) -> str:
    """Spend the link as the browser does (the button's POST); returns the overview's HTML."""
    async with http.post(link, headers=HTML) as response:
        assert response.status == 200 and response.url.path == "/staff/", response.url
        return await response.text()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def test_web_command_is_staff_only_and_rate_limited(assistant, chat):
    reply = await chat.one("/web")
    assert reply.topic == "fallback" and "dang-nhap" not in reply.text  # like any unknown command
    assistant.ports.web_url = "https://phuong.example.vn"
    links = [await sign_in_link(assistant) for _ in range(5)]
    assert all(link.startswith("https://phuong.example.vn/dang-nhap/") for link in links)
    assert len(set(links)) == 5
    staff = Chat(assistant, user="staff")
    limited = await staff.one("/quantri")
    assert limited.topic == "web" and "dang-nhap" not in limited.text and "10 phút" in limited.text
    assistant.clock.advance(minutes=11)
    assert "dang-nhap" in (await staff.one("/quantri")).text


async def test_sign_in_link_works_once_sets_a_strict_cookie_and_lands_on_the_overview(assistant):
    async with staff_server(assistant) as base, client() as http:
        link = await sign_in_link(assistant)
        assert link.startswith(base + "/dang-nhap/")
        async with http.get(link) as response:  # a link preview only GETs: the link is not spent
            assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
            assert "Đăng nhập" in await response.text()
        async with http.post(link, allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/staff/"
            cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
        assert "Secure" not in cookie  # plain http here; see the https test
        async with http.get(base + "/staff/", headers=HTML) as response:
            page = await response.text()
            assert response.status == 200 and "Tổng quan" in page and "14.000.000" in page
            assert response.headers["Cache-Control"] == "no-store"
            assert "<svg" in page and "<script" not in page
        async with client() as other:  # the same link again, in another browser: refused
            async with other.post(link, headers=HTML) as response:
                assert response.status == 410 and "/web" in await response.text()


async def test_cookie_is_secure_under_https(assistant):
    config = StaffWebConfig(public_url="https://phuong.example.vn")
    async with staff_server(assistant, config), client() as http:
        link = await sign_in_link(assistant)
        async with http.post(link, allow_redirects=False) as response:
            assert "Secure" in response.headers["Set-Cookie"]


async def test_link_expires_after_ten_minutes_and_only_staff_links_sign_in(assistant):
    async with staff_server(assistant) as base, client() as http:
        link = await sign_in_link(assistant)
        assistant.clock.advance(minutes=10, seconds=1)
        async with http.post(link, headers=HTML) as response:
            assert response.status == 410
        async with http.post(base + "/dang-nhap/made-up-token", headers=HTML) as response:
            assert response.status == 410


async def test_without_a_session_pages_redirect_and_requests_get_401(assistant):
    async with staff_server(assistant) as base, client() as http:
        async with http.get(base + "/staff/cam-ket", headers=HTML) as response:
            assert response.url.path == "/dang-nhap/" and "/web" in await response.text()
        for method, path in (("GET", "/staff/cam-ket.csv"), ("POST", "/staff/cam-ket/1/da-nhan"),
                             ("GET", "/staff/thong-bao/1")):
            async with http.request(method, base + path, allow_redirects=False) as response:
                assert response.status == 401, (method, path)
        http.cookie_jar.update_cookies({"staff_session": "forged"}, URL(base + "/staff/"))
        async with http.get(base + "/staff/", allow_redirects=False) as response:
            assert response.status == 401


async def test_post_without_the_csrf_token_is_refused(assistant):
    RecordingChannel(assistant, "telegram")
    pledge_id = await add_pledge(assistant, "42", 500_000, "Nguyễn Thị Lan")
    async with staff_server(assistant) as base, client() as http:
        csrf = csrf_of(await signed_in(http, await sign_in_link(assistant)))
        for form in ({}, {"csrf": "wrong"}):
            async with http.post(f"{base}/staff/cam-ket/{pledge_id}/da-nhan", data=form) as response:
                assert response.status == 403
        async with assistant.storage.session() as s:
            assert (await repo.get_pledge(s, pledge_id)).status == "pledged"
        async with http.post(f"{base}/staff/cam-ket/{pledge_id}/da-nhan", data={"csrf": csrf}) as response:
            assert response.status == 200 and "KH-0001" in await response.text()


async def test_session_ends_after_twelve_hours_or_on_sign_out(assistant):
    async with staff_server(assistant) as base, client() as http:
        page = await signed_in(http, await sign_in_link(assistant))
        assistant.clock.advance(hours=11, minutes=59)
        async with http.get(base + "/staff/", allow_redirects=False) as response:
            assert response.status == 200
        assistant.clock.advance(minutes=2)
        async with http.get(base + "/staff/", allow_redirects=False) as response:
            assert response.status == 401
        page = await signed_in(http, await sign_in_link(assistant))
        cookie = http.cookie_jar.filter_cookies(URL(base + "/staff/"))["staff_session"].value
        async with http.post(base + "/staff/dang-xuat", data={"csrf": csrf_of(page)}, headers=HTML) as response:
            assert response.url.path == "/dang-nhap/" and "đã đăng xuất" in await response.text()
        async with client() as replay:  # the old cookie, replayed, no longer works
            replay.cookie_jar.update_cookies({"staff_session": cookie}, URL(base + "/staff/"))
            async with replay.get(base + "/staff/", allow_redirects=False) as response:
                assert response.status == 401


async def test_a_link_made_by_another_process_signs_in(tmp_path, week):
    """The console (or a Telegram poller) and `serve` share only the database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    clock = ManualClock(BEFORE_WEEK)
    stores = [Storage(url), Storage(url)]
    for store in stores:
        await store.start()
    try:
        console, serve = (Assistant(week, store, clock, admins=frozenset({("console", "staff")})) for store in stores)
        async with staff_server(serve) as base, client() as http:
            console.ports.web_url = base
            assert "Tổng quan" in await signed_in(http, await sign_in_link(console))
    finally:
        for store in stores:
            await store.close()


async def test_failed_sign_ins_are_rate_limited(assistant):
    async with staff_server(assistant) as base, client() as http:
        for i in range(10):
            async with http.get(f"{base}/dang-nhap/guess-{i}") as response:
                assert response.status == 410
        async with http.get(await sign_in_link(assistant)) as response:
            assert response.status == 429  # even a good link, from this address, for a while
        # Behind a local proxy, the address it forwards counts: another staff member still gets in.
        async with http.get(await sign_in_link(assistant), headers={"X-Forwarded-For": "203.0.113.7"}) as response:
            assert response.status == 200
        async with http.get(base + "/staff", allow_redirects=False) as response:
            assert response.headers["Location"] == "/staff/"
        assistant.clock.advance(minutes=11)
        async with http.get(await sign_in_link(assistant)) as response:
            assert response.status == 200


async def test_mark_paid_thanks_the_resident_and_is_audited_like_the_chat_command(assistant):
    telegram = RecordingChannel(assistant, "telegram")
    first = await add_pledge(assistant, "42", 500_000, "Nguyễn Thị Lan", phone="0912345678")
    second = await add_pledge(assistant, "43", 200_000, "Trần Văn Bình")
    async with staff_server(assistant) as base, client() as http:
        page = await signed_in(http, await sign_in_link(assistant))
        async with http.get(base + "/staff/cam-ket?tim=0912") as response:
            listing = await response.text()
        assert "Nguyễn Thị Lan" in listing and "Trần Văn Bình" not in listing
        back = "/staff/cam-ket?tim=0912"
        async with http.post(f"{base}/staff/cam-ket/{first}/da-nhan",
                             data={"csrf": csrf_of(page), "quay_lai": back}) as response:
            assert response.url.path_qs.startswith(back) and "đã nhận" in await response.text()
        (thanks,) = telegram.to("42")
        assert thanks.topic == "paid_thanks" and "500.000" in thanks.text and "KH-0001" in thanks.text
        async with http.post(f"{base}/staff/cam-ket/{first}/da-nhan", data={"csrf": csrf_of(page)}) as response:
            assert "từ trước" in await response.text()
        assert len(telegram.to("42")) == 1  # thanked once
        await Chat(assistant, user="staff").say(f"/danhan KH-{second:04d}")
        async with http.get(base + "/staff/nhat-ky") as response:
            audit = await response.text()
        assert audit.count("Đánh dấu đã nhận") == 2 and "trang web" in audit and "chat" in audit
        assert "console:staff" in audit and "KH-0002" in audit


async def test_cancel_needs_a_reason_and_only_a_waiting_pledge(assistant):
    pledge_id = await add_pledge(assistant, "42", 500_000, "Lan")
    async with staff_server(assistant) as base, client() as http:
        csrf = csrf_of(await signed_in(http, await sign_in_link(assistant)))
        url = f"{base}/staff/cam-ket/{pledge_id}/huy"
        async with http.post(url, data={"csrf": csrf, "ly_do": "  "}) as response:
            assert "Cần ghi lý do" in await response.text()
        async with http.post(url, data={"csrf": csrf, "ly_do": "Người dân nhờ hủy"}) as response:
            assert "Đã hủy cam kết KH-0001" in await response.text()
        async with http.post(url, data={"csrf": csrf, "ly_do": "lần nữa"}) as response:
            assert "Không hủy được" in await response.text()
        async with http.post(f"{base}/staff/cam-ket/{pledge_id}/da-nhan", data={"csrf": csrf}) as response:
            assert "đã bị hủy" in await response.text()
        async with assistant.storage.session() as s:
            assert (await repo.get_pledge(s, pledge_id)).status == "cancelled"
            (cancel,) = [a for a in await staff_store.recent_actions(s) if a.action == "cancel"]
        assert cancel.detail == "Người dân nhờ hủy" and cancel.target == "KH-0001"


async def test_back_link_after_an_action_stays_on_the_site(assistant):
    pledge_id = await add_pledge(assistant, "42", 500_000, "Lan")
    async with staff_server(assistant) as base, client() as http:
        csrf = csrf_of(await signed_in(http, await sign_in_link(assistant)))
        async with http.post(f"{base}/staff/cam-ket/{pledge_id}/da-nhan", allow_redirects=False,
                             data={"csrf": csrf, "quay_lai": "https://evil.example/staff/cam-ket"}) as response:
            assert response.headers["Location"].startswith("/staff/cam-ket?")


async def test_pledge_list_filters_sorts_and_downloads_the_export_files(assistant):
    await add_pledge(assistant, "1", 100_000, "An")
    await add_pledge(assistant, "2", 900_000, "=HYPERLINK(1)", status="paid")
    await add_pledge(assistant, "3", 300_000, "Cúc", anonymous=True)
    async with staff_server(assistant) as base, client() as http:
        await signed_in(http, await sign_in_link(assistant))
        async with http.get(base + "/staff/cam-ket?xep=amount") as response:
            page = await response.text()
        assert page.index("KH-0002") < page.index("KH-0003") < page.index("KH-0001")
        async with http.get(base + "/staff/cam-ket?trang_thai=paid") as response:
            page = await response.text()
        assert "KH-0002" in page and "KH-0001" not in page
        async with http.get(base + "/staff/cam-ket?tim=KH-0003") as response:
            page = await response.text()
        assert "KH-0003" in page and "KH-0001" not in page
        async with http.get(base + "/staff/cam-ket.csv") as response:
            assert "attachment" in response.headers["Content-Disposition"]
            rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
        assert len(rows) == 4 and rows[2][3] == "'=HYPERLINK(1)"  # the same file as /xuat
        async with http.get(base + "/staff/cam-ket.xlsx") as response:
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(await response.read())).active
        assert sheet.max_row == 4 and sheet["C3"].value == 900_000


async def test_notice_preview_send_and_progress(assistant):
    telegram = RecordingChannel(assistant, "telegram")
    for user in ("1", "2"):
        await Chat(assistant, user=user, channel="telegram").say("/nhacnho")
    jobs = connect(assistant, [])
    async with staff_server(assistant) as base, client() as http:
        page = await signed_in(http, await sign_in_link(assistant))
        text = "Tối nay 19h30 <b>giao lưu</b> tại nhà văn hóa"
        async with http.post(base + "/staff/thong-bao/xem-truoc", data={"csrf": csrf_of(page), "noi_dung": text}) as r:
            preview = await r.text()
        assert "&lt;b&gt;giao lưu&lt;/b&gt;" in preview and "Thông báo từ" in preview
        assert "Gửi tới 2 người" in preview
        async with http.post(base + "/staff/thong-bao/gui", data={"csrf": csrf_of(page), "noi_dung": text}) as r:
            assert r.url.path == "/staff/thong-bao/1"
        await jobs.idle()
        async with http.post(base + "/staff/thong-bao/gui", data={"csrf": csrf_of(page), "noi_dung": text}) as r:
            assert r.url.path == "/staff/thong-bao/1"  # a second click shows the first, sends nothing more
        await jobs.idle()
        assert [len(telegram.to(u)) for u in ("1", "2")] == [1, 1]
        assert "&lt;b&gt;giao lưu" in telegram.to("1")[0].text
        async with http.get(base + "/staff/thong-bao/1") as response:
            progress = await response.text()
        assert 'id="count-sent">2<' in progress and "đã gửi xong" in progress
        async with http.post(base + "/staff/thong-bao/xem-truoc", data={"csrf": csrf_of(page), "noi_dung": "x" * 3001}) as r:
            assert "tối đa 3000" in await r.text()
    await jobs.stop()


async def test_reminders_questions_print_and_audit_pages_render(assistant, chat):
    await add_pledge(assistant, "1", 500_000, "Nguyễn Văn An", status="paid")
    await add_pledge(assistant, "2", 200_000, "Bí Mật", anonymous=True, status="paid")
    await add_pledge(assistant, "3", 100_000, "Chưa Nộp")
    await chat.say("bãi đỗ xe máy ở đâu vậy")
    async with staff_server(assistant) as base, client() as http:
        await signed_in(http, await sign_in_link(assistant))
        pages = {}
        for path in ("/staff/nhac-nho", "/staff/cau-hoi", "/staff/in/bang-vang", "/staff/in/ap-phich", "/staff/nhat-ky",
                     "/staff/thong-bao"):
            async with http.get(base + path) as response:
                assert response.status == 200, path
                pages[path] = await response.text()
    assert pages["/staff/nhac-nho"].count("<section class=\"card day\">") == 7
    assert "bãi đỗ xe máy" in pages["/staff/cau-hoi"]
    honour = pages["/staff/in/bang-vang"]
    assert "Nguyễn Văn An" in honour and "Bí Mật" not in honour and "Chưa Nộp" not in honour
    assert "1 tấm lòng ẩn danh" in honour and "14.700.000" in honour
    poster = pages["/staff/in/ap-phich"]
    assert poster.count("<svg") == 3 and "https://t.me/phuong_hoc_tap_bot?start=ungho" in poster
    assert "Đăng nhập" in pages["/staff/nhat-ky"]


async def test_poster_has_zalo_codes_when_their_links_are_set(assistant):
    config = StaffWebConfig(zalo_oa_url="https://zalo.me/1234567890", zalo_bot_url="https://zalo.me/s/bot123")
    async with staff_server(assistant, config) as base, client() as http:
        await signed_in(http, await sign_in_link(assistant))
        async with http.get(base + "/staff/in/ap-phich") as response:
            poster = await response.text()
    assert poster.count("<svg") == 2 and "https://zalo.me/1234567890" in poster and "t.me" not in poster


@pytest.mark.parametrize("word, topic", [("ungho", "pledge_amount"), ("lich", "schedule"), ("nhacnho", "subscribe")])
async def test_deep_links_open_their_feature(chat, word, topic):
    assert (await chat.say(f"/start {word}"))[0].topic == topic
    assert (await chat.say("/start"))[0].topic == "start"
    assert (await chat.say("/start lung-tung"))[0].topic == "start"  # an unknown word: the greeting


def test_chart_is_drawn_from_the_figures():
    svg = charts.stacked_bars(["1/10", "2/10"], [("Đã gửi", "#0a0", [3, 0]), ("Lỗi <x>", "#a00", [1, 0])], "Nhắc")
    assert svg.startswith("<svg") and svg.count("<rect") == 2 + 2  # two bars, two legend keys
    assert "Lỗi &lt;x&gt;" in svg and ">4<" in svg  # labels escaped; the day's total shown
    assert [charts._nice_ceiling(v) for v in (0, 3, 5, 37, 41, 1234)] == [4, 4, 8, 40, 60, 1600]


async def test_teaching_a_question_on_the_page_answers_it_at_once_and_is_audited(assistant, chat):
    question = "Có cần mang theo giấy tờ gì khi đến dự không"  # the FAQ says nothing of papers
    assert (await chat.one(question)).topic == "fallback"
    await chat.say(question.upper())  # the same wording: counted in one row
    assert (await chat.one("con mèo nhà tôi tên là gì")).topic == "fallback"
    async with staff_server(assistant) as base, client() as http:
        page = await signed_in(http, await sign_in_link(assistant))
        async with http.get(base + "/staff/cau-hoi") as response:
            listing = await response.text()
        ids = [int(i) for i in re.findall(r"/staff/cau-hoi/(\d+)/day", listing)]
        assert len(ids) == 2 and '<td class="num">2</td>' in listing
        async with http.post(f"{base}/staff/cau-hoi/{ids[0]}/day", data={"csrf": csrf_of(page), "faq": "join"}) as r:
            assert "Đã dạy bot" in await r.text()
        assert (await chat.one(question)).topic == "faq:join"  # at once, in this process
        async with http.post(f"{base}/staff/cau-hoi/{ids[1]}/bo-qua", data={"csrf": csrf_of(page)}) as r:
            after = await r.text()
        assert "Đã bỏ qua" in after and "/day" not in after  # both gone from the list
        async with http.post(f"{base}/staff/cau-hoi/{ids[0]}/day", data={"csrf": csrf_of(page), "faq": "nope"}) as r:
            assert "Không dạy được" in await r.text()  # no such FAQ entry
        await chat.say("con chó nhà tôi tên là gì")
        (open_question,) = await teach.unanswered(assistant)
        await Chat(assistant, user="staff").say(f"/boqua {open_question.id}")  # in chat: audited too
        async with http.get(base + "/staff/nhat-ky") as response:
            audit = await response.text()
    assert audit.count("Dạy bot") == 1 and audit.count("Bỏ qua câu hỏi") == 2 and "faq:join" in audit


async def test_overview_figures_and_charts_come_from_the_database(assistant):
    await seed_week(assistant)
    async with staff_server(assistant), client() as http:
        page = await signed_in(http, await sign_in_link(assistant))
    assert "17.900.000" in page  # 14 triệu at the opening + 3,9 triệu paid through the bot
    assert "<title>1/10: Đã gửi 30</title>" in page and "<title>2/10: Đã chặn bot 2</title>" in page
    assert "<title>2/10: Đã nhận 3</title>" in page and "<title>3/10: Đã hủy 1</title>" in page
    assert "<title>4/10: Không liên lạc được (quy định Zalo) 1</title>" in page  # a Zalo rule: its own word


async def test_staff_storage_on_every_database(any_storage):
    """Links spend once (one conditional UPDATE), sessions end, searches and sorts work alike on
    SQLite and PostgreSQL."""
    now = BEFORE_WEEK
    async with any_storage.session() as s, s.begin():
        await staff_store.add_link(s, "secret-link", "telegram:7", now, timedelta(minutes=10))
        await staff_store.add_session(s, "secret-cookie", "telegram:7", "csrf", now, timedelta(hours=12))
        for user, name, amount, phone in (("1", "Nguyễn Thị Lan", 500_000, "0912345678"), ("2", "TRẦN BÌNH", 900_000, None)):
            resident = (await repo.touch_chat(s, "telegram", user, "chat " + user, "vi", now))[0]
            await repo.create_pledge(s, resident.id, amount, name, False, phone, f"k{user}", now)
    async with any_storage.session() as s, s.begin():
        assert await staff_store.peek_link(s, "secret-link", now) == "telegram:7"
        assert await staff_store.use_link(s, "secret-link", now) == "telegram:7"
        assert await staff_store.use_link(s, "secret-link", now) is None
        assert await staff_store.links_made_since(s, "telegram:7", now - timedelta(minutes=10)) == 1
        assert (await staff_store.live_session(s, "secret-cookie", now)).csrf == "csrf"
        assert await staff_store.live_session(s, "secret-cookie", now + timedelta(hours=12)) is None
        await staff_store.end_session(s, "secret-cookie", now)
        assert await staff_store.live_session(s, "secret-cookie", now) is None
        search = dict(status=None, pledge_id=None, limit=10)
        rows, total = await staff_store.find_pledges(s, search="binh", sort="new", **search)
        assert [p.display_name for p, _ in rows] == ["TRẦN BÌNH"]  # capitals and marks folded on every database
        rows, total = await staff_store.find_pledges(s, search="lan", sort="new", **search)
        assert [p.display_name for p, _ in rows] == ["Nguyễn Thị Lan"]
        rows, total = await staff_store.find_pledges(s, search="0912 345", sort="new", **search)
        assert total == 1
        rows, total = await staff_store.find_pledges(s, search="", sort="amount", **search)
        assert [p.amount for p, _ in rows] == [900_000, 500_000] and total == 2
        await staff_store.forget_expired(s, now + timedelta(hours=12, seconds=1))
        assert await s.get(StaffLink, staff_store.token_hash("secret-link")) is None
        assert await s.get(StaffSession, staff_store.token_hash("secret-cookie")) is None


@pytest.mark.slow
async def test_link_from_the_terminal_chat_signs_in_on_bot_py_serve(tmp_path):
    """Two real processes, one database: `bot.py console` makes the link, `bot.py serve` takes it."""
    import asyncio
    import os
    import signal
    import subprocess
    import sys

    from conftest import ROOT
    from processes import free_port, wait_healthy

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
           "HOST": "127.0.0.1", "PORT": str(port), "ADMIN_IDS": "console:staff", "FILES_DIR": str(tmp_path)}
    serve = await asyncio.create_subprocess_exec(sys.executable, "bot.py", "serve", cwd=ROOT, env=env,
                                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        async with client() as http:
            await wait_healthy(http, base, serve)
            console = await asyncio.create_subprocess_exec(
                sys.executable, "bot.py", "console", "--user", "staff", cwd=ROOT, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            out, _ = await asyncio.wait_for(console.communicate("/web\n".encode()), 60)
            link = re.search(rf"{re.escape(base)}/dang-nhap/[A-Za-z0-9_-]+", out.decode()).group(0)
            assert "Tổng quan" in await signed_in(http, link)
    finally:
        serve.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(serve.wait(), 20) == 0, (await serve.stderr.read()).decode()[-2000:]


async def test_poster_asks_the_running_telegram_channel_for_the_bot_username(assistant):
    """Without TELEGRAM_BOT_USERNAME: the username python-telegram-bot got from getMe."""
    from botapi_stub import BOT_USERNAME, BotApiStub
    from telegram_helpers import started

    async with BotApiStub() as stub, started(assistant, stub) as telegram:
        app = build_web_app(assistant, telegram=telegram, staff_web=StaffWebConfig())
        runner = await start_web(app, "127.0.0.1", 0)
        base = assistant.ports.web_url = f"http://127.0.0.1:{bound_port(runner)}"
        try:
            async with client() as http:
                await signed_in(http, await sign_in_link(assistant))
                async with http.get(base + "/staff/in/ap-phich") as response:
                    poster = await response.text()
        finally:
            await runner.cleanup()
    assert f"https://t.me/{BOT_USERNAME}?start=nhacnho" in poster and poster.count("<svg") == 3


async def test_ids_in_addresses_are_ascii_digits_few_of_them(assistant):
    """A 19-digit or non-ASCII id never reaches int() or SQL: 404, not a server error."""
    async with staff_server(assistant) as base, client() as http:
        csrf = csrf_of(await signed_in(http, await sign_in_link(assistant)))
        for pledge_id in ("9" * 19, "9" * 5000, "٣"):
            async with http.post(f"{base}/staff/cam-ket/{pledge_id}/da-nhan", data={"csrf": csrf}) as response:
                assert response.status == 404

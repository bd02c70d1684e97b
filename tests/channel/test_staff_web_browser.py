"""The staff pages in a real browser: the system's headless Chromium (Debian's `chromium`
package, installed by .ci/run), driven by Playwright for Python. Never `playwright install`:
these tests use /usr/bin/chromium (or $CHROMIUM, or `chromium` on PATH) and skip, saying so,
only where there is none.

A staff member signs in through the link the terminal chat gives for /web, marks a pledge paid
(the resident gets the thank-you), is refused without a session and without a CSRF token, and
the overview and the poster are screenshotted and checked not to be blank; the poster's QR codes
are read back from the screenshot. STAFF_WEB_SCREENSHOTS=<dir> keeps the screenshots (the one in
docs/ comes from there).
"""
from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest

from channels.console import ConsoleChannel
from conftest import Chat, RecordingChannel
from staff_web_helpers import LINK, add_pledge, seed_week, sign_in_link, staff_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
async def browser():
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.skip(f"no Chromium at {CHROMIUM} nor on PATH: on Debian `apt-get install chromium chromium-driver` "
                    "(.ci/run does it) to run the browser tests")
    playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright for Python is not installed")
    async with playwright_api.async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


def not_blank(png: bytes, name: str) -> None:
    """A real page, not a white sheet: many distinct colours and a spread of brightness."""
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.width >= 300 and image.height >= 300
    grey = image.convert("L")
    assert ImageStat.Stat(grey).stddev[0] > 20, f"{name} looks blank"
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50, f"{name} has too few colours to be a page"
    keep = os.environ.get("STAFF_WEB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{name}.png").write_bytes(png)


async def test_staff_member_signs_in_from_the_console_and_marks_a_pledge_paid(assistant, browser):
    telegram = RecordingChannel(assistant, "telegram")  # where the resident chats
    await seed_week(assistant)  # a week under way: the overview has something to show
    pledge_id = await add_pledge(assistant, "42", 500_000, "Nguyễn Thị Lan", phone="0912345678")
    async with staff_server(assistant) as base:
        out = io.StringIO()
        console = ConsoleChannel(assistant, user="staff", out=out)  # the staff member's terminal chat
        assistant.senders.add(console.name, console.deliver)
        await console.handle_line("/web", 1)
        link = LINK.search(out.getvalue()).group(0)
        page = await browser.new_page(viewport={"width": 1100, "height": 900})

        await page.goto(base + "/staff/cam-ket")  # no session: sent to the "send /web" page
        assert page.url == base + "/dang-nhap/"
        assert "/web" in await page.inner_text("main")

        await page.goto(link)
        await page.click("button:has-text(\"Đăng nhập\")")
        await page.wait_for_url(base + "/staff/")
        assert "17.900.000" in await page.inner_text(".figure.big")  # with the opening's 14 triệu
        assert await page.locator("svg.chart rect").count() > 20  # bars drawn
        not_blank(await page.screenshot(full_page=True), "overview")

        await page.click("nav >> text=Cam kết")
        await page.fill("input[name=tim]", "Thị Lan")
        await page.click("button:has-text(\"Lọc\")")
        assert await page.locator("tbody tr").count() == 1
        await page.click(f"#KH-{pledge_id:04d} >> text=Đã nhận")
        await page.wait_for_selector(".flash")
        assert "đã nhận" in await page.inner_text(".flash")
        (thanks,) = telegram.to("42")
        assert thanks.topic == "paid_thanks" and "500.000" in thanks.text

        # The same POST without the CSRF token, from the signed-in browser: refused.
        refused = await page.request.post(f"{base}/staff/cam-ket/{pledge_id}/huy", form={"ly_do": "thử"})
        assert refused.status == 403
        # And from a browser with no session at all.
        stranger = await browser.new_context()
        anonymous = await stranger.request.post(f"{base}/staff/cam-ket/{pledge_id}/huy", form={"ly_do": "thử"})
        assert anonymous.status == 401
        await stranger.close()

        await page.goto(base + "/staff/nhat-ky")
        assert "Đánh dấu đã nhận" in await page.inner_text("table")
        await page.click("button:has-text(\"Đăng xuất\")")
        await page.wait_for_url(base + "/dang-nhap/?ra=1")
        await page.goto(base + "/staff/")
        assert page.url == base + "/dang-nhap/"


async def test_notice_is_previewed_sent_and_its_progress_shown(assistant, browser):
    from bot import connect

    telegram = RecordingChannel(assistant, "telegram")
    for user in ("1", "2", "3"):
        await Chat(assistant, user=user, channel="telegram").say("/nhacnho")
    jobs = connect(assistant, [])
    async with staff_server(assistant) as base:
        out = io.StringIO()
        console = ConsoleChannel(assistant, user="staff", out=out)
        assistant.senders.add(console.name, console.deliver)
        await console.handle_line("/quantri", 1)
        page = await browser.new_page()
        await page.goto(LINK.search(out.getvalue()).group(0))
        await page.click("button:has-text(\"Đăng nhập\")")
        await page.wait_for_url(base + "/staff/")
        await page.click("nav >> text=Thông báo")
        await page.fill("textarea[name=noi_dung]", "Tối nay 19h30 giao lưu đọc sách tại nhà văn hóa tổ 3.")
        await page.click("button:has-text(\"Xem trước\")")
        assert "Thông báo từ" in await page.inner_text(".bubble")
        await page.click("button:has-text(\"Gửi tới 3 người\")")
        await page.wait_for_url(base + "/staff/thong-bao/1")
        await jobs.idle()
        await page.reload()
        assert await page.inner_text("#count-sent") == "3"
        assert all("giao lưu đọc sách" in telegram.to(u)[0].text for u in ("1", "2", "3"))
    await jobs.stop()


async def test_poster_and_honour_list_print_with_readable_qr_codes(assistant, browser):
    import zxingcpp
    from PIL import Image

    await add_pledge(assistant, "1", 1_000_000, "Trường Tiểu học Nguyễn Thị Minh Khai", status="paid")
    await add_pledge(assistant, "2", 500_000, "Ẩn Danh Thật", anonymous=True, status="paid")
    async with staff_server(assistant) as base:
        page = await browser.new_page(viewport={"width": 900, "height": 1200})
        await page.goto(await sign_in_link(assistant))
        await page.click("button:has-text(\"Đăng nhập\")")
        await page.wait_for_url(base + "/staff/")
        await page.goto(base + "/staff/in/ap-phich")
        png = await page.screenshot(full_page=True)
        not_blank(png, "poster")
        found = {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}
        assert {f"https://t.me/phuong_hoc_tap_bot?start={w}" for w in ("lich", "nhacnho", "ungho")} <= found
        pdf = await page.pdf(format="A4")  # print CSS: the poster fits one A4 sheet
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1

        await page.goto(base + "/staff/in/bang-vang")
        text = await page.inner_text(".sheet")
        assert "Trường Tiểu học" in text and "Ẩn Danh Thật" not in text and "1 tấm lòng ẩn danh" in text


async def test_staff_teach_the_bot_an_unanswered_question(assistant, browser):
    resident = Chat(assistant, user="42", channel="telegram")
    question = "Có cần mang theo giấy tờ gì khi đến dự không"  # the FAQ says nothing of papers
    assert (await resident.one(question)).topic == "fallback"
    async with staff_server(assistant) as base:
        page = await browser.new_page()
        await page.goto(await sign_in_link(assistant))
        await page.click("button:has-text(\"Đăng nhập\")")
        await page.wait_for_url(base + "/staff/")
        await page.click("nav >> text=Câu hỏi chưa trả lời")
        row = page.locator("tbody tr", has_text="giấy tờ")
        await row.locator("select[name=faq]").select_option("join")
        await row.locator("button:has-text(\"Gắn\")").click()
        await page.wait_for_selector(".flash")
        assert "Đã dạy bot" in await page.inner_text(".flash")
        assert await page.locator("tbody tr", has_text="giấy tờ").count() == 0
    assert (await resident.one(question)).topic == "faq:join"

from hypothesis import given
from hypothesis import strategies as st

from core.split import split_message, utf16_len
from core.text import fold, has_vietnamese_marks, normalize, tokens


def test_fold_removes_marks_case_and_extra_space():
    assert fold("  CHỦ ĐỀ   là gì?  ") == "chu de la gi?"
    assert fold("Đường Nguyễn Thị Minh Khai") == "duong nguyen thi minh khai"


def test_teencode_is_expanded():
    assert tokens("chu de la j vay ad") == ["chu", "de", "la", "gi", "vay", "admin"]
    assert normalize("k dc ntn") == "khong duoc nhu the nao"
    assert normalize("mk hỏi sđt phường") == "minh hoi so dien thoai phuong"


def test_tokens_drop_punctuation_and_emoji_but_keep_dates_and_amounts():
    assert tokens("🎉 Ngày 3/10 có gì?!") == ["ngay", "3/10", "co", "gi"]
    assert tokens("ủng hộ 1.000.000đ") == ["ung", "ho", "1.000.000d"]


def test_vietnamese_marks_detected():
    assert has_vietnamese_marks("chủ đề")
    assert not has_vietnamese_marks("chu de")


def test_split_message_cuts_at_line_breaks_within_limit():
    text = "\n".join(f"dòng {i} " + "x" * 30 for i in range(100))
    parts = split_message(text, 400)
    assert all(len(p) <= 400 for p in parts)
    assert "\n".join(parts) == text
    assert split_message("ngắn", 400) == ["ngắn"]
    assert all(len(p) <= 10 for p in split_message("a" * 35, 10))


def test_split_message_keeps_each_part_valid_html():
    from html.parser import HTMLParser

    text = "<b>Chương trình: " + "học tập suốt đời &amp; chuyển đổi số " * 40 + "</b>\nhết <i>nhé</i>"
    parts = split_message(text, 300)
    assert len(parts) > 4 and all(utf16_len(p) <= 300 for p in parts)
    for part in parts:
        tags: list[str] = []

        class Balance(HTMLParser):
            def handle_starttag(self, tag, attrs):
                tags.append(tag)

            def handle_endtag(self, tag):
                assert tags.pop() == tag, part

        Balance().feed(part)
        assert tags == [], part
        assert not part.endswith(("&", "&amp")) and "<b></b>" not in part
    shown = "".join(parts).replace("<b>", "").replace("</b>", "")
    assert "".join(shown.split()) == "".join(text.replace("<b>", "").replace("</b>", "").split())


def test_split_message_counts_emoji_as_telegram_does():
    text = "🎉" * 3000  # 6,000 UTF-16 units
    parts = split_message(text, 4096)
    assert len(parts) == 2 and all(utf16_len(p) <= 4096 for p in parts) and "".join(parts) == text


def test_personal_numbers_are_masked_for_statistics():
    from core.text import mask_personal

    assert mask_personal("gọi cho tôi 0912 345 678 hoặc +84.912.345.678") == "gọi cho tôi [số] hoặc [số]"
    assert mask_personal("stk 0011001932418, mail lan.nguyen@gmail.com") == "stk [số], mail [email]"
    assert mask_personal("ngày 3/10 lúc 14:00, 150.000.000 đ") == "ngày 3/10 lúc 14:00, 150.000.000 đ"


def test_split_plain_text_treats_angle_brackets_as_text():
    text = "Trẻ em <6 tuổi miễn phí.\n" + "Chương trình có nhiều hoạt động hay.\n" * 60 + "Người >60 tuổi ưu tiên."
    parts = split_message(text, 2000, html=False)
    assert all(utf16_len(p) <= 2000 for p in parts) and parts[0].startswith("Trẻ em <6")


def test_split_message_never_makes_a_part_of_tags_alone():
    parts = split_message("<b>\n" + "word " * 30 + "</b>", 50)
    assert all("word" in p for p in parts) and all(utf16_len(p) <= 50 for p in parts)


@given(st.text(alphabet=st.characters(exclude_categories=())) | st.text(alphabet="aờ😀\ud83d\ude00\udfff"))
def test_utf16_len_counts_what_telegram_counts(text):
    # An astral character (an emoji) is two UTF-16 units; anything else, a lone surrogate too, one.
    assert utf16_len(text) == sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def test_utf16_len_of_emoji_and_lone_surrogates():
    assert utf16_len("") == 0 and utf16_len("Chào 👋") == 7 and utf16_len("👨‍👩‍👧") == 8
    assert utf16_len("\ud83d") == 1 and utf16_len("a\udfff😀") == 4

from core.matcher import Matcher

ENTRIES = {
    "theme": ["chủ đề năm nay là gì", "what is the theme"],
    "opening": ["lễ khai mạc ở đâu", "mấy giờ khai mạc"],
    "fund": ["quỹ khuyến học có bao nhiêu tiền"],
}


def test_folding_typos_and_teencode_match():
    m = Matcher(ENTRIES)
    assert m.best("CHU DE NAM NAY LA J").key == "theme"
    assert m.best("khai mác o dau vay").key == "opening"   # typo and no diacritics
    assert m.best("quy khuyen hoc dc bn tien").key == "fund"


def test_unrelated_words_pull_the_score_down():
    m = Matcher(ENTRIES)
    assert m.best("mua bán xe máy cũ") is None
    assert m.best("giá xe máy bao nhiêu tiền") is None
    assert m.score("khai mạc").score > m.score("khai mạc xe máy bao nhiêu").score


def test_background_words_weigh_little():
    entries = {"dates": ["tuần lễ diễn ra khi nào"], "purpose": ["tuần lễ học tập suốt đời là gì"]}
    aware = Matcher(entries, background=frozenset("tuan le hoc tap suot doi".split()))
    question = "tuan le hoc tap suot doi dien ra khi nao"
    assert aware.best(question).key == "dates"


def test_threshold_can_be_raised_per_call():
    m = Matcher(ENTRIES)
    match = m.score("khai mạc lúc nào")
    assert m.best("khai mạc lúc nào", threshold=match.score + 0.01) is None
    assert m.best("khai mạc lúc nào", threshold=match.score).key == "opening"
    assert m.score("") is None and m.score("🎉") is None

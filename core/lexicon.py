"""General Vietnamese (and a little English) for understanding questions, not tied to any ward.

- FILLERS: words that carry no subject of their own in a question (pronouns, particles, generic
  verbs, question words): they weigh little, and a filler the content never uses does not make a
  question out of scope.
- PHRASES: multi-word question frames and synonyms rewritten to one canonical form before
  matching, so "khi nào", "bao giờ", "hôm nào", "dịp nào" are one thing ("?when"), and "bế mạc"
  is "kết thúc". Frames start with "?". Written on folded text (no diacritics, lowercase).
- background_zipf: how common a syllable is in general Vietnamese (core/vi_background.tsv).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.text import fold

FILLERS = frozenset("""
a ah a oi u uh um nhe nha nhi ha hoi hen day do kia nay ne vay the la ma nhung ca cung
van da dang se vua moi roi chua nua luon chi con hay hoac va voi cua cho tai vi nen neu thuc su
toi tui minh em anh ban bac co di cau ong ba chau chung ta may ad admin bot ae mn moi nguoi
gi nao dau sao ai bao nhieu may khi bh lau
co duoc lam di den ve ra vao xem biet hoi muon can noi lay dung gui thay tim giup cho phai nhe xin
vui long lam on
mot hai ba cac nhung nhieu it tat viec chuyen cai thu kieu loai kieu nao ay vay vay
o trong ngoai tren duoi sau truoc khi luc bay gio hien nay hom
the is are was were be been what when where who whom how which why do does did can could would should will
i you we they he she it my your our their me us them this that these those of in on at for by from with
and or please tell know want like get need have has had there any much many some about just also
""".split())

# Folded phrase -> its canonical words. Longest first wins; a canonical word may be a frame ("?when").
_PHRASES = {
    # when / what time / how long
    "?when": ["khi nao", "bao gio", "hom nao", "ngay nao", "dip nao", "luc nao", "thoi gian nao", "thang may",
              "thoi diem nao", "vao luc nao", "ngay may", "when", "what date", "which day"],
    "?time": ["may gio", "luc may gio", "gio nao", "may h", "luc may h", "what time"],
    "?howlong": ["bao lau", "trong bao lau", "may ngay", "bao nhieu ngay", "keo dai", "how long", "how many days"],
    "?where": ["o dau", "cho nao", "noi nao", "dia diem nao", "tai dau", "where"],
    "?who": ["ai", "nguoi nao", "who"],
    "?what": ["la gi", "nghia la gi", "nghia la sao", "la sao", "la nhu the nao", "la the nao", "the nao la",
              "co nghia la gi", "what is", "what are", "what s", "whats", "meaning of", "mean"],
    "?why": ["de lam gi", "nham muc dich gi", "vi sao", "tai sao", "de lam chi", "lam chi",
             "de lam viec gi", "dung vao viec gi", "dung vao dau", "dung de lam gi", "why", "what for",
             "used for", "for what"],
    "?howmuch": ["bao nhieu", "how much", "how many"],
    "?how": ["the nao", "nhu the nao", "lam sao", "lam the nao", "cach nao", "ra sao", "bang cach nao", "how"],
    # synonyms, to the word the content most likely uses
    "ket thuc": ["be mac", "het", "ket thuc", "dong mac"],
    "muc dich": ["muc tieu", "muc dich", "nham"],
    "ung ho": ["quyen gop", "dong gop", "gop tien", "ung ho", "ung ho tien"],
    "an danh": ["giau ten", "khong ghi ten", "khong de ten", "khong can ten", "an ten", "an danh"],
    "anonymous": ["anonymously", "anonymous", "without my name", "without a name"],
    "donate": ["donate", "donation", "donations", "contribute", "give money"],
    "truong": ["truong hoc", "nha truong", "truong"],
    "nhac": ["tin nhac", "nhac nho", "nhac", "remind", "reminder", "reminders"],
    "huy nhac": ["dung nhac", "thoi nhac", "ngung nhac", "tat nhac", "bo nhac", "khong nhan nhac", "huy nhac",
                 "khong muon nhan nhac", "khong nhan tin nhac", "khong muon nhan tin nhac", "stop reminders",
                 "stop the reminders", "unsubscribe"],
    "lich": ["what s on", "whats on", "lich", "schedule", "program"],
    "dien thoai": ["so dien thoai", "dien thoai", "so dt"],
}
PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(phrase.split()): tuple(canonical.split()) for canonical, phrases in _PHRASES.items() for phrase in phrases
}
LONGEST_PHRASE = max(len(p) for p in PHRASES)
PHRASE_STARTS = frozenset(p[0] for p in PHRASES)
FRAMES = frozenset(c for c in _PHRASES if c.startswith("?"))
# Frames that ask about the same thing in other words: a phrasing with one partly answers the other.
FRAME_FAMILY = {"?when": "time", "?time": "time", "?howlong": "time", "?what": "what", "?why": "what"}

BACKGROUND_FILE = Path(__file__).with_name("vi_background.tsv")
RARE_ZIPF = 3.0  # a syllable not in the background file is at most this common


@lru_cache(maxsize=1)
def _background() -> tuple[dict[str, float], dict[str, float]]:
    """(accented syllable -> Zipf, folded syllable -> the highest Zipf among its accented forms)."""
    accented: dict[str, float] = {}
    folded: dict[str, float] = {}
    for line in BACKGROUND_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, zipf = line.partition("\t")
            z = float(zipf)
            accented[word] = z
            key = fold(word)
            if z > folded.get(key, 0.0):
                folded[key] = z
    return accented, folded


def background_zipf(folded: str, accented: str | None = None) -> float:
    """How common a word is in general Vietnamese (Zipf scale: 7 is "là", 3 is rare). With its
    diacritics the word is known exactly; without, it is as common as its commonest reading."""
    by_accent, by_fold = _background()
    if accented is not None and accented != folded:
        return by_accent.get(accented, RARE_ZIPF)
    return by_fold.get(folded, RARE_ZIPF)

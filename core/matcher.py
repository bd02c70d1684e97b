"""Matching a resident's question to what the bot knows, or to nothing.

Each key (an FAQ entry, an intent) has phrasings (the ways residents ask it) and may have
evidence (its answer's text). A question is read into canonical words: folded, teencode
expanded, question frames and synonyms rewritten (core.lexicon), typos snapped to a word the
content uses. Then:

1. Scope. A subject word of the question that the whole content (phrasings, answers, event
   facts) never uses puts the question out of scope, however well the other words match:
   "số điện thoại trạm y tế" is not about the ward office's phone. A word is a subject word
   unless it is a filler (core.lexicon.FILLERS) or very common in general Vietnamese. A
   syllable the content only uses inside one compound ("khai" in "khai mạc") is another word
   when the question pairs it with something else ("khai giảng"), so it counts as unknown.
2. Score. Each word weighs by how much it tells: rare among the keys (IDF over phrasings and
   answers) and rare in Vietnamese at large (core.lexicon.background_zipf). The score of a
   phrasing is the harmonic mean of how much of the question it explains (its own words fully,
   words of its answer partly) and how much of the phrasing the question covers.

An inverted index keeps the cost proportional to the candidates, not to the whole content.
"""
from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from core.lexicon import FILLERS, FRAME_FAMILY, FRAMES, LONGEST_PHRASE, PHRASE_STARTS, PHRASES, RARE_ZIPF, background_zipf
from core.text import TEENCODE, fold

LOW_WEIGHT = 0.15        # fillers and the event's own name
FRAME_WEIGHT = 0.6       # of a question frame's IDF: the frame matters, less than the subject
EVIDENCE_CREDIT = 0.5    # a question word found in the key's answer, not in the phrasing
FAMILY_CREDIT = 0.5      # of a question frame answered by a phrasing's related frame
MIN_SHARED_SUBJECT = 1.5  # subject weight a question must share with a phrasing that says more
MIN_SUBJECT_RECALL = 0.5  # share of the question's subject words a key must explain to be an answer
SUBJECT_ZIPF = 5.9       # commoner than this in general Vietnamese: not a subject word
BOUND_SHARE = 0.9        # a syllable with the same neighbour this often is part of a compound
BOUND_MIN_SHARE = 0.5    # ...when that side has a telling neighbour at least this often
MIN_FUZZY_LEN = 4
FUZZY_CUTOFF = 84
CANDIDATE_BUDGET = 300   # index entries read to find candidates, at most (once past the rarest word)
SHORTLIST = 15           # candidates given the full score, the best by plain overlap

_WORD = re.compile(r"[0-9]+(?:[/.,:\-][0-9]+)*[^\W\d_]*|[^\W\d_]+")


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    phrasing: str


def read(text: str) -> list[tuple[str, str | None]]:
    """(canonical folded word, the word as typed when it had diacritics) for each word."""
    raw: list[tuple[str, str | None]] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text.lower())):
        raw.extend(_read_word(word))
    out: list[tuple[str, str | None]] = []
    i, n = 0, len(raw)
    while i < n:
        if raw[i][0] in PHRASE_STARTS:
            for size in range(min(LONGEST_PHRASE, n - i), 0, -1):
                canonical = PHRASES.get(tuple(w for w, _ in raw[i:i + size]))
                if canonical is not None:
                    out.extend([raw[i]] if size == 1 and canonical == (raw[i][0],) else
                               [(w, None) for w in canonical])
                    i += size
                    break
            else:
                out.append(raw[i])
                i += 1
        else:
            out.append(raw[i])
            i += 1
    return out


@lru_cache(maxsize=65536)
def _read_word(word: str) -> tuple[tuple[str, str | None], ...]:
    folded = fold(word)
    expansion = TEENCODE.get(folded)
    if expansion and expansion != folded:
        return tuple((w, None) for w in expansion.split())
    return ((folded, word if word != folded else None),)


def words(text: str) -> list[str]:
    return [w for w, _ in read(text)]


class Matcher:
    def __init__(self, entries: dict[str, list[str]], threshold: float = 0.5,
                 background: frozenset[str] = frozenset(), evidence: dict[str, list[str]] | None = None,
                 context: list[str] = ()) -> None:
        """`entries` maps a key (e.g. "faq:theme") to the ways residents ask it; `evidence` maps
        a key to texts that answer it (its answer); `context` is the rest of the content (event
        facts, each day's program), known words but no key's. `background` words are what every
        question is about anyway (the event's own name): like fillers they weigh little."""
        self.threshold = threshold
        self._low = FILLERS | background
        evidence = evidence or {}
        self._phrasings: list[tuple[str, str, frozenset[str]]] = []
        self._evidence: dict[str, frozenset[str]] = {}
        doc_freq: Counter[str] = Counter()
        sequences: list[list[str]] = []
        for key in entries.keys() | evidence.keys():
            seen: set[str] = set()
            distinct: set[frozenset[str]] = set()  # "chủ đề" and "chu de" are one phrasing here
            for phrasing in entries.get(key, ()):
                seq = words(phrasing)
                sequences.append(seq)
                ws = frozenset(seq)
                if ws and ws not in distinct:
                    distinct.add(ws)
                    self._phrasings.append((key, phrasing, ws))
                    seen |= ws
            said: set[str] = set()
            for text in evidence.get(key, ()):
                seq = words(text)
                sequences.append(seq)
                said.update(seq)
            self._evidence[key] = frozenset(said | seen)  # all the key's words: its asks and its answer
            doc_freq.update(seen | said)
        for text in context:
            sequences.append(words(text))
        self._known = frozenset(w for seq in sequences for w in seq)
        n = max(len(entries.keys() | evidence.keys()), 1)
        self._unknown_weight = (1.0 + math.log(n)) * 1.2
        self._weight = {w: self._word_weight(w, doc_freq.get(w, 0), n) for w in self._known}
        self._bound = _bound_syllables(sequences, self._low)
        self._pairs = {(a, b) for seq in sequences for a, b in zip(seq, seq[1:])}
        self._index: dict[str, list[int]] = defaultdict(list)
        self._of_key: dict[str, list[int]] = defaultdict(list)
        self._totals: list[float] = []
        self._families: list[frozenset[str]] = []  # the frame families each phrasing asks
        self._subjects: list[frozenset[str]] = []  # its subject words
        for i, (key, _, ws) in enumerate(self._phrasings):
            self._totals.append(sum(self._weight[w] for w in ws))
            self._families.append(frozenset(FRAME_FAMILY[w] for w in ws if w in FRAME_FAMILY))
            self._subjects.append(frozenset(w for w in ws if w not in self._low and w not in FRAMES))
            self._of_key[key].append(i)
            for w in ws:
                self._index[w].append(i)
        # Typo candidates by length: a typo changes a word's length by one or two letters at most.
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for w in self._known:
            if len(w) >= MIN_FUZZY_LEN and not w.startswith("?"):
                self._by_length[len(w)].append(w)
        self._snap = lru_cache(maxsize=65536)(self._snap_uncached)
        # Residents ask the same questions in the same words: the recent ones are scored once.
        self._scores = lru_cache(maxsize=1024)(self._score_uncached)

    def _word_weight(self, word: str, df: int, n: int) -> float:
        if word in self._low:
            return LOW_WEIGHT
        idf = 1.0 + math.log(n / max(df, 1))
        if word in FRAMES:
            return idf * FRAME_WEIGHT
        # Common Vietnamese words ("người", "năm") tell less than rare ones ("khuyến", "ẩn").
        general = min(1.2, max(0.3, (7.3 - background_zipf(word)) / 2.5))
        return idf * general

    def _snap_uncached(self, word: str) -> str | None:
        if word in self._known:
            return word
        if len(word) < MIN_FUZZY_LEN or not word.isalpha() or background_zipf(word) > RARE_ZIPF:
            return None  # a real Vietnamese word ("nghèo") is another word, not a typo of one ("nghe")
        near = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(n, ())]
        found = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return found[0] if found else None

    def best(self, text: str, threshold: float | None = None) -> Match | None:
        """The best match at or above the threshold (the matcher's own by default), or None."""
        match = self.score(text)
        return match if match and match.score >= (threshold or self.threshold) else None

    def out_of_scope(self, text: str) -> list[str]:
        """The question's subject words the content does not know (empty: in scope)."""
        return self._analyse(text)[1]

    def _analyse(self, text: str) -> tuple[list[str], list[str]]:
        """(the question's words as the content knows them, its unknown subject words)."""
        read_words = read(text)
        snapped = [(self._snap(w) or w, accented) for w, accented in read_words]
        seq = [w for w, _ in snapped]
        unknown: list[str] = []
        for i, (w, accented) in enumerate(snapped):
            if w in self._low or w.startswith("?") or (w[:1].isdigit()) or len(w) < 2:
                continue
            if w not in self._known:
                if background_zipf(w, accented) < SUBJECT_ZIPF:
                    unknown.append(accented or w)
            elif self._foreign(seq, i):
                unknown.append(accented or w)
        return seq, unknown

    def _foreign(self, seq: list[str], i: int) -> bool:
        """Is seq[i] part of another compound than the one the content always uses it in?"""
        for side, partner in self._bound.get(seq[i], ()):
            j, k = i + side, i - side
            if 0 <= j < len(seq) and seq[j] == partner:
                return False
            if 0 <= j < len(seq) and self._telling(seq[j]):
                return True  # "khai giảng": another word follows "khai" than "mạc"
            # Its partner missing, it makes a pair the content never has on the other side:
            # "sinh hoạt" when the content only says "hoạt động".
            if 0 <= k < len(seq) and self._telling(seq[k]):
                pair = (seq[k], seq[i]) if side > 0 else (seq[i], seq[k])
                return pair not in self._pairs
        return False

    def _telling(self, word: str) -> bool:
        return word not in self._low and not word.startswith("?")

    def score(self, text: str) -> Match | None:
        """The best-scoring phrasing whatever its score (None when nothing shares a word, or the
        question is out of scope)."""
        return self._scores(text, self.threshold)

    def _score_uncached(self, text: str, threshold: float) -> Match | None:
        seq, unknown = self._analyse(text)
        if unknown or not seq:
            return None
        query = {w: self._weight.get(w, LOW_WEIGHT if w in self._low else self._unknown_weight) for w in seq}
        known = [w for w in query if w in self._index]
        if all(w in FILLERS or w in FRAMES for w in known):
            return None  # only fillers and frames ("bao nhiêu cũng được"): no subject to answer about
        telling = [w for w in known if w not in self._low and w not in FRAMES] or [
            w for w in known if w not in FILLERS and w not in FRAMES]  # the event's name itself
        # Candidates come from the question's rarest telling words, within a budget of index
        # entries (a phrasing sharing none of them cannot answer); every word counts in the score.
        telling.sort(key=lambda w: len(self._index.get(w, ())))
        candidates: set[int] = set()
        budget = CANDIDATE_BUDGET
        for word in telling:
            postings = self._index.get(word, ())
            if candidates and len(postings) > budget:
                break
            if len(postings) > budget and len(telling) > 1:
                # Even the rarest word is common ("phí" in a thousand classes): the phrasings
                # that also share another of the question's words, when there are any.
                others = frozenset(telling[1:])
                phrasings = self._phrasings
                postings = [i for i in postings if not phrasings[i][2].isdisjoint(others)] or postings
            candidates.update(postings)
            budget -= len(postings)
        return self._best_of(candidates, query, threshold, frozenset(telling) | {
            w for w in query if w not in self._low and w not in FRAMES})

    def _best_of(self, candidates: set[int], query: dict[str, float], threshold: float,
                 telling: frozenset[str]) -> Match | None:
        asked = frozenset(query)
        weight = query.__getitem__
        total = sum(query.values())
        telling_total = sum(map(weight, telling))
        frames = [(w, query[w], FRAME_FAMILY.get(w)) for w in asked & FRAMES]
        phrasings, totals, evidence = self._phrasings, self._totals, self._evidence
        if len(candidates) > SHORTLIST:  # a plain weighted Dice first, the full score for the best few
            dice = [(sum(map(weight, phrasings[i][2] & asked)) / (total + totals[i]), i) for i in candidates]
            candidates = [i for _, i in heapq.nlargest(SHORTLIST, dice)]
        best, best_score = -1, -1.0
        for i in candidates:
            key, _, ws = phrasings[i]
            common = ws & asked
            subject = sum(map(weight, common & telling))
            if not subject:
                continue  # shares no subject with the question: cannot be its answer
            shared = sum(map(weight, common))
            extra = sum(map(weight, (evidence[key] & asked) - ws))
            # "bao lâu" is not "khi nào", but a phrasing about when partly answers how long.
            for w, v, family in frames:
                if w not in ws and family is not None and family in self._families[i]:
                    shared += FAMILY_CREDIT * v
            recall = (shared + EVIDENCE_CREDIT * extra) / total
            precision = shared / totals[i]
            score = 2 * recall * precision / (recall + precision)
            if subject + EVIDENCE_CREDIT * extra < MIN_SUBJECT_RECALL * telling_total or (
                    subject < MIN_SHARED_SUBJECT and not self._subjects[i] <= telling):
                # Most of what it asks about is not here, or it shares one weak word with a
                # phrasing about more ("tôi muốn vay tiền" / "tiền quyên góp sẽ đi đâu").
                score = score if score < threshold else threshold - 0.01
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            return None
        key, phrasing, _ = phrasings[best]
        return Match(key, best_score, phrasing)


def _bound_syllables(sequences: list[list[str]], low: frozenset[str]) -> dict[str, list[tuple[int, str]]]:
    """Syllable -> [(side, partner)] for syllables the content uses inside one compound:
    side +1 when the partner follows ("khai" -> "mạc"), -1 when it comes before ("mạc" <- "khai")."""
    def telling(w: str) -> bool:
        return w not in low and not w.startswith("?") and w.isalpha() and len(w) > 1

    count: Counter[str] = Counter()
    after: dict[str, Counter[str]] = defaultdict(Counter)   # telling neighbours only
    before: dict[str, Counter[str]] = defaultdict(Counter)
    for seq in sequences:
        for i, w in enumerate(seq):
            count[w] += 1
            if i + 1 < len(seq) and telling(seq[i + 1]):
                after[w][seq[i + 1]] += 1
            if i > 0 and telling(seq[i - 1]):
                before[w][seq[i - 1]] += 1
    bound: dict[str, list[tuple[int, str]]] = {}
    for w, n in count.items():
        if not telling(w):
            continue
        sides = []
        for side, neighbours in ((1, after.get(w)), (-1, before.get(w))):
            if neighbours:
                partner, times = neighbours.most_common(1)[0]
                if times >= BOUND_SHARE * sum(neighbours.values()) and times >= BOUND_MIN_SHARE * n:
                    sides.append((times, side, partner))
        if sides:  # the side with the most evidence: "vai" goes with "trò", whatever comes before it
            _, side, partner = max(sides)
            bound[w] = [(side, partner)]
    return bound

"""Matching a resident's question to the closest known question.

Each entry has several phrasings. A question and a phrasing are compared as sets of
normalized words, each word weighted by how much it tells entries apart (inverse document
frequency), with words of little meaning ("là", "gì", "có") weighted low. Typos are
absorbed by snapping an unknown word to a known one that is close in spelling. An
inverted index keeps the cost proportional to the candidates, not to the whole FAQ.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from core.text import tokens

# Words that carry little meaning on their own in residents' questions (folded).
STOPWORDS = frozenset("""
a ah ad admin ban bot cho co cua cac chi em anh gi ha hay hoi khong la lam minh nao
nay nhe nhi nha oi ong ra roi thi toi tui va voi vao ve xin xem duoc khi nhu muon
can biet the an is are was what when where who how which do does did can i you we to of in on for
it be please me my at this that and or
""".split())

STOP_WEIGHT = 0.15
MIN_FUZZY_LEN = 4
FUZZY_CUTOFF = 84
CANDIDATE_BUDGET = 300  # index entries read to find candidates, at most (once past the rarest word)


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    phrasing: str


class Matcher:
    def __init__(self, entries: dict[str, list[str]], threshold: float = 0.5,
                 background: frozenset[str] = frozenset()) -> None:
        """`entries` maps a key (e.g. "faq:theme") to the ways residents ask it.

        `background` words are what every question is about anyway (the event's own name:
        "tuần lễ học tập suốt đời"); like stopwords they weigh little.
        """
        self.threshold = threshold
        self._low = STOPWORDS | background
        self._phrasings: list[tuple[str, str, frozenset[str]]] = []
        doc_freq: dict[str, int] = defaultdict(int)
        for key, phrasings in entries.items():
            seen: set[str] = set()
            distinct: set[frozenset[str]] = set()  # "chủ đề" and "chu de" are one phrasing here
            for phrasing in phrasings:
                words = frozenset(tokens(phrasing))
                if words and words not in distinct:
                    distinct.add(words)
                    self._phrasings.append((key, phrasing, words))
                    seen |= words
            for w in seen:
                doc_freq[w] += 1
        n = max(len(entries), 1)
        # A word no phrasing uses weighs like the rarest word: the question is about
        # something the FAQ does not cover, and a confident wrong answer is worse than none.
        self._unknown_weight = 1.0 + math.log(n)
        self._weight = {
            w: STOP_WEIGHT if w in self._low else 1.0 + math.log(n / df)
            for w, df in doc_freq.items()
        }
        self._index: dict[str, list[int]] = defaultdict(list)
        self._totals: list[float] = []
        for i, (_, _, words) in enumerate(self._phrasings):
            self._totals.append(sum(self._weight[w] for w in words))
            for w in words:
                self._index[w].append(i)
        # Typo candidates by length: a typo changes a word's length by one or two letters at most.
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for w in self._weight:
            if len(w) >= MIN_FUZZY_LEN:
                self._by_length[len(w)].append(w)
        self._snap = lru_cache(maxsize=65536)(self._snap_uncached)

    def _snap_uncached(self, word: str) -> str | None:
        if word in self._weight:
            return word
        if len(word) < MIN_FUZZY_LEN or word.isdigit():
            return None
        near = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(n, ())]
        found = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return found[0] if found else None

    def _query_weight(self, word: str) -> float:
        if word in self._weight:
            return self._weight[word]
        return STOP_WEIGHT if word in self._low else self._unknown_weight

    def best(self, text: str, threshold: float | None = None) -> Match | None:
        """The best match at or above the threshold (the matcher's own by default), or None."""
        match = self.score(text)
        return match if match and match.score >= (threshold or self.threshold) else None

    def score(self, text: str) -> Match | None:
        """The best-scoring phrasing whatever its score (None when nothing shares a word).

        The score is a weighted Dice coefficient: 2 * shared weight / (question's + phrasing's).
        """
        query: dict[str, float] = {}
        for word in tokens(text):
            key = self._snap(word) or word
            query[key] = self._query_weight(key)
        total = sum(query.values())
        known = [w for w in query if w in self._index]
        content = [w for w in known if w not in self._low]
        if not content:  # only function words ("là gì"): compare on those
            return self._best_of({i for w in known for i in self._index[w]}, query, total)
        # Candidates come from the question's rarest telling words (a phrasing sharing none of
        # them would not win), within a budget of index entries; all words count in the score.
        content.sort(key=lambda w: len(self._index[w]))
        seeds, budget = [], CANDIDATE_BUDGET
        for word in content:
            if seeds and len(self._index[word]) > budget:
                break
            seeds.append(word)
            budget -= len(self._index[word])
        return self._best_of({i for w in seeds for i in self._index[w]}, query, total)

    def _best_of(self, candidates: set[int], query: dict[str, float], total: float) -> Match | None:
        phrasings, totals, weight = self._phrasings, self._totals, query.__getitem__
        asked = query.keys()
        best, best_score = -1, -1.0
        for i in candidates:
            score = 2 * sum(map(weight, phrasings[i][2] & asked)) / (total + totals[i])
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            return None
        key, phrasing, _ = phrasings[best]
        return Match(key, best_score, phrasing)

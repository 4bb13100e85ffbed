"""What the recorded turns say, for the staff workspace: usage, outcomes, ratings, and gaps.

Pure functions over the rows :meth:`chatbot.storage.TurnStore.turns` returns, so they are tested
on tables of rows without a database or Streamlit. The grouping of declined questions is what
makes the review list short: one need asked twenty ways ("how much does it cost", "what's the
price", "cost of the procedure?") becomes one row with its count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalize import STOP_WORDS, normalize, stem

__all__ = [
    "OUTCOMES",
    "QuestionGroup",
    "daily_questions",
    "daily_ratings",
    "group_questions",
    "outcome_shares",
    "pair_usage",
    "questions_to_review",
]

OUTCOMES = ("answer", "fallback", "clarify", "emergency", "smalltalk", "handoff")
SIMILAR = 0.45
"""Similarity (see :func:`_vectors`) from which two questions count as one need."""
WORD_WEIGHT = 0.7


def daily_questions(rows: Iterable[dict[str, Any]]) -> dict[date, int]:
    """Turns per calendar day (UTC), in date order."""
    counts = Counter(_day(row["time"]) for row in rows)
    return dict(sorted(counts.items()))


def daily_ratings(rows: Iterable[dict[str, Any]]) -> dict[date, tuple[int, int]]:
    """(thumbs up, thumbs down) per day of the rated turn."""
    out: dict[date, list[int]] = {}
    for row in rows:
        if row.get("rating") in ("up", "down"):
            counts = out.setdefault(_day(row["time"]), [0, 0])
            counts[0 if row["rating"] == "up" else 1] += 1
    return {day: (up, down) for day, (up, down) in sorted(out.items())}


def outcome_shares(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The share of turns of each reply kind (answered, declined = fallback, clarified, emergency …)."""
    counts = Counter(row["kind"] for row in rows)
    total = sum(counts.values())
    return {kind: (counts[kind] / total if total else 0.0) for kind in OUTCOMES}


def pair_usage(rows: Iterable[dict[str, Any]], pair_ids: Iterable[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """The pairs answered most (id, count), most first, and the pairs of ``pair_ids`` never used."""
    counts = Counter(row["pair_id"] for row in rows if row.get("pair_id") and row["kind"] == "answer")
    never = [pair_id for pair_id in pair_ids if pair_id not in counts]
    return counts.most_common(), never


def questions_to_review(rows: Iterable[dict[str, Any]], reviewed: Iterable[str] = ()) -> list[str]:
    """The stored (scrubbed) messages of declined or thumbs-down turns, minus those staff already reviewed."""
    done = {normalize(question) for question in reviewed}
    out = []
    for row in rows:
        message = row.get("message")
        if message and (row["kind"] == "fallback" or row.get("rating") == "down") and normalize(message) not in done:
            out.append(message)
    return out


@dataclass(frozen=True)
class QuestionGroup:
    """One need: the most frequent wording, how often it was asked in all, and every wording."""

    question: str
    count: int
    members: tuple[str, ...] = field(default=())


def group_questions(questions: Sequence[str], *, similar: float = SIMILAR) -> list[QuestionGroup]:
    """Group ``questions`` by similarity, biggest group first.

    Wordings are counted, then taken most frequent first: each joins the group whose first (most
    asked) wording it is most similar to, if that similarity reaches ``similar``, or starts a new
    group. Similarity is the cosine of TF-IDF vectors over words and character 3–5-grams, so
    "how much does it cost" and "what's the cost of it" meet, and typos do not split a group.
    """
    counts = Counter(q.strip() for q in questions if q and q.strip())
    if not counts:
        return []
    by_key: dict[str, list[str]] = {}
    for text in counts:
        by_key.setdefault(normalize(text) or text.lower(), []).append(text)
    keys = sorted(by_key, key=lambda k: (-sum(counts[t] for t in by_key[k]), k))
    vectors = _vectors(keys)
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for i in range(len(keys)):
        if leaders:
            scores = vectors[leaders] @ vectors[i].T
            best = int(np.argmax(scores))
            if float(scores[best]) >= similar:
                members[leaders[best]].append(i)
                continue
        leaders.append(i)
        members[i] = [i]
    groups = []
    for leader in leaders:
        texts = [text for i in members[leader] for text in sorted(by_key[keys[i]], key=lambda t: -counts[t])]
        groups.append(QuestionGroup(texts[0], sum(counts[t] for t in texts), tuple(texts)))
    return sorted(groups, key=lambda g: (-g.count, g.question))


def _vectors(texts: list[str]) -> np.ndarray:
    """Rows whose dot product is 0.7 × content-word cosine + 0.3 × character-n-gram cosine.

    Content words are stemmed with stop words dropped, so "where do I park" and "is there
    parking at the clinic" share "park"; character n-grams keep typos together. Dense arrays: a
    review list is hundreds of questions, not millions.
    """
    content = [" ".join(stem(w) for w in text.split() if w not in STOP_WORDS) or text for text in texts]
    words = TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b", sublinear_tf=True).fit_transform(content)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    return np.hstack([np.sqrt(WORD_WEIGHT) * words.toarray(), np.sqrt(1 - WORD_WEIGHT) * chars.toarray()])


def _day(value: datetime | str) -> date:
    return (value if isinstance(value, datetime) else datetime.fromisoformat(str(value))).date()

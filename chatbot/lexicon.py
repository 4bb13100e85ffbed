"""English words that are spelt correctly, so typo correction leaves them alone.

Typo correction maps a word the knowledge base does not know to the closest word it does. For a
misspelling ("recovry", "releif") that is right; for a real word the documents happen not to use
it is dangerous: "chances of dying" became "changes of doing", "survival rate" became "surgical
rate", and the bot then answered a question nobody asked. A real word the documents do not know
must stay unknown, so that the question's coverage drops and the bot says it cannot answer.

The word list is pyspellchecker's English frequency dictionary (from subtitles and web text),
read once per process. Words seen fewer than ``MIN_COUNT`` times are left out: the list's floor
holds rare names and old misspellings ("paine", "bak") that should still be corrected.

How much a word the documents do not use should count against answering depends on how telling
it is in general English: "kyphoplasty" or "pregnant" name something the documents do not cover,
"ready" or "again" do not. :func:`informativeness` reads that from ``wordfreq``'s frequency list
(:mod:`chatbot.wordfrequency`).
A misspelt common word the documents do not use either ("tommorow") is corrected to the English
word it was meant to be (:func:`english_correction`), so it weighs as that word, not as a rarity.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection, Iterator
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .wordfrequency import zipf_frequency

__all__ = [
    "COMMON_WORDS",
    "MIN_COUNT",
    "ZIPF_COMMON",
    "ZIPF_RARE",
    "RealWords",
    "english_correction",
    "english_words",
    "informativeness",
]

MIN_COUNT = 100
"""Fewest occurrences in the frequency list for a word to count as real English (the floor is 50)."""

ZIPF_COMMON = 6.0
"""Zipf frequency (log10 per billion words) at and above which a word tells nothing ("good", "time")."""

ZIPF_RARE = 2.0
"""Zipf frequency at and below which a word is fully telling (about one in a hundred million words)."""


@cache
def english_words(min_count: int = MIN_COUNT) -> frozenset[str]:
    """Lower-case English words seen at least ``min_count`` times; immutable, so safe to share."""
    data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return frozenset(word for word, count in counts.items() if count >= min_count)


class RealWords(Collection[str]):
    """:func:`english_words`, read only when first asked: the collection a bot's index checks typos against.

    Reading the word list takes a tenth of a second or more, and most questions have no word the
    knowledge base does not know, so a command-line question should not wait for it. Immutable
    and shared like the list itself.
    """

    def __init__(self, min_count: int = MIN_COUNT) -> None:
        self.min_count = min_count

    def __contains__(self, word: object) -> bool:
        return word in english_words(self.min_count)

    def __iter__(self) -> Iterator[str]:
        return iter(english_words(self.min_count))

    def __len__(self) -> int:
        return len(english_words(self.min_count))


@lru_cache(maxsize=65536)
def informativeness(word: str) -> float:
    """How telling ``word`` is, from 0 (as common as "good") to 1 (rarer than ``ZIPF_RARE``), by wordfreq."""
    zipf = zipf_frequency(word, floor=ZIPF_RARE)
    return min(1.0, max(0.0, (ZIPF_COMMON - zipf) / (ZIPF_COMMON - ZIPF_RARE)))


COMMON_WORDS = 60_000
"""How many of wordfreq's most frequent English words typo correction may correct to."""


@cache
def _common_by_length() -> dict[int, tuple[str, ...]]:
    """wordfreq's most frequent words by length, most frequent first, so a search scans only near lengths."""
    by_length: dict[int, list[str]] = {}
    for word in _common_rank():
        by_length.setdefault(len(word), []).append(word)
    return {length: tuple(words) for length, words in by_length.items()}


@cache
def _common_rank() -> dict[str, int]:
    """wordfreq's :data:`COMMON_WORDS` most frequent alphabetic English words → their rank (0: most frequent)."""
    import wordfreq  # only for correcting common words: imported on first need (a fifth of a second)

    words = (word for word in wordfreq.top_n_list("en", COMMON_WORDS) if word.isalpha())
    return {word: rank for rank, word in enumerate(dict.fromkeys(words))}


@lru_cache(maxsize=16384)
def english_correction(word: str) -> str | None:
    """The most frequent common English word one edit away from ``word``, or ``None``.

    Only for words that are neither in the knowledge base nor real English themselves. Words of
    fewer than five letters are left alone: one edit turns them into too many other words. The
    candidates one letter longer, as long and one letter shorter compete on frequency alone:
    the commonest typo drops a letter ("actualy", "realy"), and preferring a word of the same
    length turned those into "actuary" and "real". A word the list itself holds (it has a few
    common misspellings, "recieve") is never its own correction.
    """
    if len(word) < 5 or not word.isalpha():
        return None
    by_length = _common_by_length()
    rank = _common_rank()
    found = []
    for length in (len(word), len(word) - 1, len(word) + 1):
        hits = process.extract(word, by_length.get(length, ()), scorer=OSA.distance, score_cutoff=1, limit=2)
        found.extend(hit for hit, _, _ in hits if hit != word)
    return min(found, key=rank.__getitem__, default=None)

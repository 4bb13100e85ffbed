"""English words that are spelt correctly, so typo correction leaves them alone.

Typo correction maps a word the knowledge base does not know to the closest word it does. For a
misspelling ("recovry", "releif") that is right; for a real word the documents happen not to use
it is dangerous: "chances of dying" became "changes of doing", "survival rate" became "surgical
rate", and the bot then answered a question nobody asked. A real word the documents do not know
must stay unknown, so that the question's coverage drops and the bot says it cannot answer.

The word list is pyspellchecker's English frequency dictionary (from subtitles and web text),
read once per process. Words seen fewer than ``MIN_COUNT`` times are left out: the list's floor
holds rare names and old misspellings ("paine", "bak") that should still be corrected.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources

__all__ = ["MIN_COUNT", "english_words"]

MIN_COUNT = 100
"""Fewest occurrences in the frequency list for a word to count as real English (the floor is 50)."""


@cache
def english_words(min_count: int = MIN_COUNT) -> frozenset[str]:
    """Lower-case English words seen at least ``min_count`` times; immutable, so safe to share."""
    data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return frozenset(word for word, count in counts.items() if count >= min_count)

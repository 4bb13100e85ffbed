"""How common a word is in English: ``wordfreq``'s Zipf frequency, without importing ``wordfreq`` for plain words.

``import wordfreq`` takes a fifth of a second (it brings a Unicode tokenizer, language-code
tables and a text fixer) and runs on every command-line question, although a question's words
are already normalised: lower case, letters only, no punctuation. For a word of plain ASCII
letters wordfreq's tokenizer returns the word itself, so its frequency is just the entry in
wordfreq's English table. This module reads that table (``large_en.msgpack.gz``, the list
``wordlist="best"`` picks for English) straight from wordfreq's data folder, looks words up in
its sorted buckets and does the same arithmetic, so :func:`zipf_frequency` returns exactly what
``wordfreq.zipf_frequency(word, "en")`` does (``tests/test_wordfrequency.py`` compares them on
every plain word of the table). Any other word (digits, accents, other scripts) goes to wordfreq
itself, imported on first need.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import re
from bisect import bisect_left
from functools import cache
from pathlib import Path

import msgpack

__all__ = ["english_frequency", "zipf_frequency"]

_PLAIN_WORD = re.compile(r"[a-z]+")
_TABLE = Path("data") / "large_en.msgpack.gz"


@cache
def _buckets(limit: int | None = None) -> tuple[list[str], ...]:
    """wordfreq's English table as stored: bucket ``i`` holds, sorted, the words of frequency ``10 ** (-i / 100)``.

    Read once per process and never changed. Looking a word up in the sorted buckets costs a
    fraction of a millisecond, while turning the 321,000 words into a dictionary, as wordfreq
    does, takes a seventh of a second: a command-line question looks up a handful of words. With
    ``limit``, only the first ``limit`` buckets (the most frequent words) are read: the table is
    decompressed and decoded as a stream, so the rare words' long tail (two thirds of the words
    below Zipf 2) is never read.
    """
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordfreq is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / _TABLE
    with gzip.open(path, "rb") as handle:
        unpacker = msgpack.Unpacker(handle, raw=False)
        size = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
            raise ValueError(f"{path}: unexpected header {header!r}")
        count = size - 1 if limit is None else min(size - 1, limit)
        return tuple(unpacker.unpack() for _ in range(count))


def _bucket_limit(floor: float) -> int | None:
    """How many buckets hold every word more frequent than Zipf ``floor`` (``None``: all of them)."""
    return None if floor <= 0 else math.ceil((9.0 - floor) * 100) + 1


def english_frequency(word: str, *, floor: float = 0.0) -> float | None:
    """The frequency (a share of all words) wordfreq's English table gives ``word``, or ``None``.

    As ``wordfreq.get_frequency_dict("en")[word]``: that dictionary is filled bucket by bucket,
    so a word listed twice would have its last bucket's frequency; the search goes backwards.
    With ``floor`` (a Zipf frequency), words at or below it may read as ``None``.
    """
    buckets = _buckets(_bucket_limit(floor))
    for index in range(len(buckets) - 1, -1, -1):
        bucket = buckets[index]
        at = bisect_left(bucket, word)
        if at < len(bucket) and bucket[at] == word:
            return 10 ** (-index / 100)
    return None


def zipf_frequency(word: str, *, floor: float = 0.0) -> float:
    """``max(wordfreq.zipf_frequency(word, "en"), floor)``: log10 of the word's frequency per billion words.

    A word the table does not have is 0. A ``floor`` above 0 spares reading the table's rare
    words, for a caller to whom every word at or below the floor is the same (an unknown word).
    """
    if not _PLAIN_WORD.fullmatch(word):
        import wordfreq  # words with digits, accents or other scripts need its tokenizer

        return max(wordfreq.zipf_frequency(word, "en"), floor)
    minimum = 10**0.0 / 1e9  # wordfreq.zipf_to_freq(0.0), the floor zipf_frequency passes on
    found = english_frequency(word, floor=floor)
    if found is None:
        frequency = minimum
    else:
        # wordfreq's word_frequency for one token: combined as 1 / (1 / f), floored, rounded to 3 digits.
        unrounded = max(1.0 / (0.0 + 1.0 / found), minimum)
        frequency = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return max(round(math.log(frequency, 10) + 9, 2), floor)

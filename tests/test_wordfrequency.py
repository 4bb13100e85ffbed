"""``chatbot.wordfrequency``: exactly wordfreq's English Zipf frequencies, for plain words without wordfreq."""

from __future__ import annotations

import random
import re
import string
import subprocess
import sys

import pytest
import wordfreq
from conftest import ROOT

from chatbot.wordfrequency import _bucket_limit, _buckets, english_frequency, zipf_frequency


def test_the_table_is_what_the_lookup_assumes() -> None:
    """Sorted buckets, each word once: a binary search per bucket finds what wordfreq's dictionary holds."""
    buckets = _buckets()
    assert len(buckets) > 500
    assert all(bucket == sorted(bucket) for bucket in buckets)
    words = [word for bucket in buckets for word in bucket]
    assert len(words) == len(set(words)) == len(wordfreq.get_frequency_dict("en"))


def test_plain_words_of_the_table_have_wordfreqs_frequency() -> None:
    """Every 41st plain word of the table (wordfreq's own tokenizer makes all 289,000 take a minute)."""
    table = wordfreq.get_frequency_dict("en")
    plain = [word for word in table if re.fullmatch(r"[a-z]+", word)]
    assert len(plain) > 250_000
    sample = plain[::41]
    assert all(english_frequency(word) == table[word] for word in sample)
    assert [zipf_frequency(word) for word in sample] == [wordfreq.zipf_frequency(word, "en") for word in sample]


@pytest.mark.parametrize(
    "word",
    ["kyphoplasty", "pregnant", "ready", "again", "the", "rhizotomy", "xqzvbnm", "a", "", "café", "covid19", "東京"],
)
def test_both_sides_of_the_plain_word_path(word: str) -> None:
    assert zipf_frequency(word) == wordfreq.zipf_frequency(word, "en")


def test_random_letter_strings_match_too() -> None:
    """Mostly words the table does not have: both give the floor, 0."""
    chance = random.Random(9)
    words = ["".join(chance.choices(string.ascii_lowercase, k=chance.randint(1, 12))) for _ in range(3000)]
    assert [zipf_frequency(w) for w in words] == [wordfreq.zipf_frequency(w, "en") for w in words]
    assert sum(zipf_frequency(w) == 0.0 for w in words) > 1000


def test_plain_words_do_not_import_wordfreq() -> None:
    script = (
        "import sys\n"
        "from chatbot.wordfrequency import zipf_frequency\n"
        "print(zipf_frequency('relief') > 3, 'wordfreq' in sys.modules)\n"
        "zipf_frequency('covid19')\n"
        "print('wordfreq' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False", "True"]


@pytest.mark.parametrize("floor", [2.0, 3.5])
def test_a_floor_gives_wordfreqs_frequency_or_the_floor(floor: float) -> None:
    """What informativeness asks (every word at or below Zipf 2 is fully telling), from part of the table."""
    table = wordfreq.get_frequency_dict("en")
    plain = [word for word in table if re.fullmatch(r"[a-z]+", word)][::41]
    words = [*plain, "kyphoplasty", "xqzvbnm", "café", "covid19"]
    expected = [max(wordfreq.zipf_frequency(word, "en"), floor) for word in words]
    assert [zipf_frequency(word, floor=floor) for word in words] == expected
    assert sum(value == floor for value in expected) > 1000, "both sides of the floor are checked"
    assert sum(value > floor for value in expected) > 300


def test_a_floor_reads_only_the_frequent_buckets() -> None:
    assert len(_buckets(_bucket_limit(2.0))) == 701 < len(_buckets())
    assert _bucket_limit(0.0) is None

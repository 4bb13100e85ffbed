"""The single text normaliser shared by TF-IDF, fuzzy matching, synonyms and the safety rules.

Using one function everywhere matters: if the index saw "cervical" but the query pipeline produced
"Cervical" or "cervical," the match would silently weaken. NFKC folds full-width letters and
ligatures, ``casefold`` handles case beyond ASCII, punctuation becomes space (apostrophes inside
words are dropped so "don't" → "dont"), and runs of white space collapse to one space.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_input", "normalize", "tokens"]

_APOSTROPHES = re.compile(r"(?<=\w)['’`´](?=\w)")
_NON_WORD = re.compile(r"[^\w]+")
_UNDERSCORE = re.compile(r"_+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_input(text: str) -> str:
    """Make arbitrary user input safe to process: no lone surrogates, no control characters.

    Lone surrogates (from broken clients) cannot be encoded and would crash any later
    ``encode``; control characters are invisible and only confuse matching.
    """
    text = _SURROGATES.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", text)


def normalize(text: str) -> str:
    """Lower-case, NFKC-folded, punctuation-free text with single spaces."""
    text = clean_input(text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _UNDERSCORE.sub(" ", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """The words of ``normalize(text)``."""
    return normalize(text).split()

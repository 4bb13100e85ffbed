"""The single text normaliser shared by TF-IDF, fuzzy matching, synonyms and the safety rules.

Using one function everywhere matters: if the index saw "cervical" but the query pipeline produced
"Cervical" or "cervical," the match would silently weaken. NFKC folds full-width letters and
ligatures, ``casefold`` handles case beyond ASCII, punctuation becomes space (apostrophes inside
words are dropped so "don't" → "dont"), and runs of white space collapse to one space.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from itertools import pairwise

import Stemmer

__all__ = ["STOP_WORDS", "clean_input", "normalize", "stem", "stemmed_ngrams", "tokens"]

_APOSTROPHES = re.compile(r"(?<=\w)['’`´](?=\w)")
_NON_WORD = re.compile(r"[^\w]+")
_UNDERSCORE = re.compile(r"_+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


_STEMMER = Stemmer.Stemmer("english")
"""Snowball's English (Porter2) stemmer, in C (PyStemmer): the same stems as the ``snowballstemmer``
package's pure-Python one (a test compares them) at a fifteenth of the cost, which a cold start
pays for every word of the knowledge base."""
_STEMMER_LOCK = threading.Lock()
"""The stemmer keeps the word being stemmed in its own fields: one thread at a time."""


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


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter2) English stem, so "burns", "nerves", "exercising" meet "burn", "nerve", "exercises".

    Cached: a knowledge base and its questions use a few thousand distinct words, and the same
    ones again and again. Words of three letters or fewer and words with digits stay as they are
    ("ct", "mri", "70").
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does dont down during each either else even ever every few for from
    further get gets getting got had has have having he her here hers him his how however i id if im in into
    is isnt it its itself ive just let lets like ll me might mine more most much must my myself no nor not now
    of off on once only or other our ours out over own per please quite rather re really s same shall she
    should so some such t than that thats the their theirs them then there these they this those though
    through thus to too under until up upon us ve very was wasnt way we were what whats when where whether
    which while who whom whose why will with within without would wouldnt yes yet you youd youll your youre
    yours yourself hi hello hey thanks thank ok okay um uh tell know want wanted wondering wonder question
    questions ask asking anyone someone something anything thing things one kind sort bit lot lots going gonna
    wanna may maybe probably already still
    r u ur pls plz thx said says told worry worried worrying scared afraid nervous concerned anxious
    exactly actually basically generally usually normally typically
    cant cannot wont didnt doesnt arent werent havent hasnt hadnt couldnt shouldnt aint happen happens happened
    son daughter husband wife mom mum dad mother father partner child kid kids boss friend grandma grandpa
    give gives given giving
    """.split()
)
"""Function words and chat filler that carry no topic.

Deliberately not scikit-learn's list: that one contains "back", "last", "side", "first" and
"call", which are topic words here ("back pain", "how long does it last", "side effects").
"""


def stemmed_ngrams(text: str) -> list[str]:
    """Stemmed words and pairs of neighbouring stemmed words of normalised ``text``: the terms
    the TF-IDF index and the topic model weigh, so "exercising" and "exercises" are one term."""
    words = [stem(w) for w in text.split()]
    return words + [f"{a} {b}" for a, b in pairwise(words)]

"""Which passage a patient's question asks for, learned from the labelled examples' own words.

The examples vote through their nearest neighbours (:meth:`chatbot.examples.Examples.votes`):
a question close to one labelled question counts for its passage. A discriminative classifier
learns instead which words tell one passage from another across all of them, in the patients'
own vocabulary rather than the documents' ("downtime" for recovery, "regrow" for why relief
wears off; "knee", "fusion", "stimulator" for no passage at all). As three features of the
answer model it took the test split from 63.5 % right and 4.0 % wrong to 71.6 % and 2.7 % at
the shipped threshold (``docs/history.md``, "The examples' classifier").

It is scikit-learn's multinomial ``LogisticRegression`` over TF-IDF of words, word pairs and
character 2–5-grams (``sublinear_tf``, terms seen in at least :data:`MIN_EXAMPLES` examples),
with one class per labelled pair and one for "no passage answers it". :meth:`QuestionClassifier.fit`
fits it (importing scikit-learn, as a build does); the fitted numbers are kept as plain arrays,
and :meth:`QuestionClassifier.probabilities` computes the same vectors and probabilities by hand,
so answering never imports scikit-learn (``tests/test_classifier.py`` compares them).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from collections.abc import Sequence

import numpy as np

from .index import NgramColumns, char_wb_ngrams, term_counts, unit_tfidf

__all__ = ["MIN_EXAMPLES", "NO_PAIR", "C", "QuestionClassifier", "fit_key"]

C = 10.0
"""Inverse regularisation strength, chosen out of fold on the train and dev questions (3, 10, 30, 100)."""

MIN_EXAMPLES = 2
"""A term must occur in this many examples to be a feature: one seen once teaches nothing general,
and the weights are half the size (about 17,600 terms of the shipped examples instead of 31,000)."""

NO_PAIR = -1
"""The class of the examples no passage answers."""

CHAR_LENGTHS = range(2, 6)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def word_terms(text: str) -> list[str]:
    """Words of two or more letters and each pair of neighbouring ones, as scikit-learn's default
    word analyzer with ``ngram_range=(1, 2)`` makes them (lower-cased)."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def char_terms(text: str) -> list[str]:
    """Character 2–5-grams inside word boundaries, as scikit-learn's ``analyzer="char_wb"`` makes them."""
    return char_wb_ngrams(text.lower(), lengths=CHAR_LENGTHS)


class QuestionClassifier:
    """Probabilities over the labelled pairs (by position) and "no passage", for a question's text.

    Parameters
    ----------
    vocabularies:
        For the word terms and the character terms, each term's column within its block.
    idf:
        The inverse document frequencies of the word block then the character block.
    coef, intercept:
        The logistic regression's weights, one row per class, and intercepts.
    classes:
        Each class's pair position, :data:`NO_PAIR` for "no passage answers it".
    fitted_on:
        :func:`fit_key` of the texts and labels it was fitted on (``None`` if not known), so a
        build can keep a stored fit whose examples did not change (see :meth:`fit`).
    """

    def __init__(
        self,
        vocabularies: tuple[dict[str, int], dict[str, int]],
        *,
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: np.ndarray,
        fitted_on: str | None = None,
    ) -> None:
        self.vocabularies = vocabularies
        self.fitted_on = fitted_on
        self.idf = np.array(idf, dtype=np.float64)
        self.intercept = np.array(intercept, dtype=np.float64)
        self.classes = np.array(classes, dtype=np.int64)
        self.weights_by_term = np.ascontiguousarray(np.asarray(coef, dtype=np.float32).T, dtype=np.float64)
        """The weights (kept to float32, as stored) a term a row: a question's few hundred terms
        are rows read whole."""
        for array in (self.idf, self.intercept, self.classes, self.weights_by_term):
            array.flags.writeable = False  # one fit is shared by every bot of a process (see fit)
        size = len(vocabularies[0]) + len(vocabularies[1])
        if self.idf.shape != (size,) or self.weights_by_term.shape != (size, len(self.classes)):
            raise ValueError("classifier arrays do not fit together")
        if self.intercept.shape != (len(self.classes),):
            raise ValueError("classifier arrays do not fit together")
        self.ngrams = NgramColumns(
            vocabularies[1], (term for term in vocabularies[0] if " " not in term), lengths=CHAR_LENGTHS
        )
        """The character block's columns of each word the word block knows (the examples' own)."""

    @property
    def coef(self) -> np.ndarray:
        """The weights one row per class, as ``examples.npz`` stores them (float32)."""
        return np.ascontiguousarray(self.weights_by_term.T, dtype=np.float32)

    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[Sequence[int]], *, reuse: QuestionClassifier | None = None
    ) -> QuestionClassifier | None:
        """Fit on ``texts``, each labelled with pair positions (none: no passage answers it).

        An example labelled with several pairs counts once, its weight split between them.
        ``None`` when there are fewer than two classes to tell apart. Deterministic, and done once
        a process for the same examples: a fit of the shipped examples takes tens of seconds.
        ``reuse`` (the fit a build stored before) is returned as it is when it was fitted on these
        very texts and labels: adding a phrasing or editing a passage changes neither, and staff
        who add a phrasing would otherwise wait for the same fit again.
        """
        key = fit_key(texts, labels)
        if reuse is not None and reuse.fitted_on == key:
            return reuse
        return _fitted(tuple(texts), tuple(tuple(pairs) for pairs in labels), key)

    @classmethod
    def _fit(cls, texts: tuple[str, ...], labels: tuple[tuple[int, ...], ...], key: str) -> QuestionClassifier | None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        rows, targets, weights = [], [], []
        for row, pairs in enumerate(labels):
            for pair in pairs or (NO_PAIR,):
                rows.append(row)
                targets.append(pair)
                weights.append(1.0 / max(len(pairs), 1))
        if len(set(targets)) < 2:
            return None
        vectorizers = [
            TfidfVectorizer(analyzer=word_terms, sublinear_tf=True, min_df=MIN_EXAMPLES),
            TfidfVectorizer(analyzer=char_terms, sublinear_tf=True, min_df=MIN_EXAMPLES),
        ]
        try:
            blocks = [vectorizer.fit_transform(texts) for vectorizer in vectorizers]
        except ValueError:  # no term in two examples: too few to learn from
            return None
        matrix = hstack(blocks).tocsr()
        logistic = LogisticRegression(C=C, max_iter=5000).fit(
            matrix[rows], np.asarray(targets), sample_weight=np.asarray(weights)
        )
        coef, intercept = logistic.coef_, logistic.intercept_
        if len(logistic.classes_) == 2:  # one row, the second class's logit: as a softmax, half of it each way
            coef, intercept = np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
        vocabularies = tuple({term: int(column) for term, column in v.vocabulary_.items()} for v in vectorizers)
        return cls(
            (vocabularies[0], vocabularies[1]),
            idf=np.concatenate([v.idf_ for v in vectorizers]),
            coef=coef,
            intercept=intercept,
            classes=logistic.classes_,
            fitted_on=key,
        )

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """``text``'s TF-IDF vector as (columns, weights): each block scaled to unit length."""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        offset = 0
        lowered = text.lower()
        counts = (term_counts(self.vocabularies[0], word_terms(lowered)), self.ngrams.counts(lowered))
        for vocabulary, found in zip(self.vocabularies, counts, strict=True):
            if found:
                block, weights = unit_tfidf(found, self.idf[offset : offset + len(vocabulary)])
                columns.append(block + offset)
                values.append(weights)
            offset += len(vocabulary)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def probabilities(self, text: str) -> np.ndarray:
        """The probability of each class (in the order of :attr:`classes`) for a question's text."""
        columns, weights = self.vector(text)
        logits = weights @ self.weights_by_term[columns] + self.intercept
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def by_pair(self, text: str, pair_count: int) -> tuple[np.ndarray, float]:
        """The probability of each pair position (0 for a pair no example is labelled with) and of "no passage"."""
        probabilities = self.probabilities(text)
        out = np.zeros(pair_count)
        answered = self.classes != NO_PAIR
        out[self.classes[answered]] = probabilities[answered]
        return out, float(probabilities[~answered].sum())


def fit_key(texts: Sequence[str], labels: Sequence[Sequence[int]]) -> str:
    """SHA-256 of everything a fit is made from: the texts, their labels and this module's settings."""
    made_from = [C, MIN_EXAMPLES, list(CHAR_LENGTHS), list(texts), [[int(p) for p in pairs] for pairs in labels]]
    return hashlib.sha256(json.dumps(made_from).encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def _fitted(texts: tuple[str, ...], labels: tuple[tuple[int, ...], ...], key: str) -> QuestionClassifier | None:
    """:meth:`QuestionClassifier.fit`, remembered for the last few sets of examples a process fitted."""
    return QuestionClassifier._fit(texts, labels, key)

"""Patients' own questions, each labelled with the passages that answer it: the nearest ones vote.

A pair's generated question and variants are worded like the documents; patients are not ("the
heat needle in my back", "how soon can I go back to my job"). Questions that real patients and
carers asked, labelled by people with the pairs that answer them, are the best evidence of how
the next patient will word the same need. For each candidate pair the answerer reads two numbers
from them: how close the question is to the pair's closest example, and the share of the
question's nearest examples that the pair answers (a k-nearest-neighbour vote); a classifier
fitted on all of them (:mod:`chatbot.classifier`) adds the probability it gives the pair. All are
features of the answer model, never an answer on their own: a clinic's new document with no
examples yet is answered from its other features.

Questions the documents do not answer are examples too, labelled with no pair (``pairs: []``):
"how long does the nerve burning in my knee last" shares most of its words with a passage on how
long relief lasts, but its nearest examples are other questions about procedures the clinic's
documents do not describe. How close the question is to the closest such example, and their
share of its nearest examples, are features as well (the same for every candidate).

``faq/examples.yaml`` is written by ``python -m chatbot train`` from the train and dev splits of
the question bank (never the test split), and a clinic may add its own. It holds ``examples``, a
list of ``{q: question, pairs: [pair ids]}`` (an empty list: no passage answers it), and
``passages``, a short digest of each labelled pair's passage as it was when labelled. Documents
change: a label whose pair is gone or whose passage now says something else is dropped at load
(with one warning naming the file: retrain), so a stale label never votes for a passage nobody
labelled; the file itself must be well formed, or loading stops (:class:`KnowledgeBaseError`). A
missing file means no examples.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from .arrayfile import cut_at
from .classifier import QuestionClassifier
from .embedding import Meanings
from .errors import KnowledgeBaseError
from .index import sparse_dot
from .normalize import normalize
from .pairs import Pair
from .yamlfile import read_yaml

__all__ = ["NEIGHBOURS", "Example", "Examples", "Votes", "highest_of", "passage_digest", "read_examples"]

_log = logging.getLogger(__name__)

NEIGHBOURS = 5
"""How many of the nearest examples vote."""

Vectorizer = Callable[[Sequence[str]], list[tuple[np.ndarray, np.ndarray]]]
"""Texts → each one's unit-length TF-IDF vector as (feature indices, weights), the index's own."""


@dataclass(frozen=True)
class Example:
    """One labelled patient question: ``pairs`` are the ids of the pairs that answer it (none: the
    documents do not answer it)."""

    text: str
    pairs: tuple[str, ...]


def passage_digest(pair: Pair) -> str:
    """A short digest of the pair's passage: a label holds only while the passage says the same."""
    return hashlib.sha256(pair.answer.encode("utf-8")).hexdigest()[:12]


def read_examples(path: str | Path, pairs: Iterable[Pair]) -> tuple[Example, ...]:
    """The examples in ``path`` whose labels still hold (none if the file does not exist).

    A malformed file raises; labels naming a pair that is gone or whose passage changed since it
    was labelled are dropped, with one warning.
    """
    path = Path(path)
    data = read_yaml(path, missing_ok=True, located=False)
    if data is None:
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("examples"), list):
        raise KnowledgeBaseError(path, None, "needs 'examples': a list of {q: question, pairs: [pair ids]}")
    digests = data.get("passages") or {}
    if not isinstance(digests, dict):
        raise KnowledgeBaseError(path, None, "'passages' maps pair ids to the digests of their passages")
    current = {pair.id: passage_digest(pair) for pair in pairs}
    out = []
    dropped = 0
    for number, item in enumerate(data["examples"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not item["q"].strip():
            raise KnowledgeBaseError(path, None, f"example {number} has no question text 'q'")
        labels = item.get("pairs")
        if not isinstance(labels, list) or not all(isinstance(p, str) for p in labels):
            raise KnowledgeBaseError(
                path, None, f"example {number} needs 'pairs': a list of pair ids ([]: no passage answers it)"
            )
        holding = tuple(p for p in labels if p in current and digests.get(p, current[p]) == current[p])
        dropped += len(labels) - len(holding)
        if holding or not labels:
            out.append(Example(item["q"], holding))
    if dropped:
        _log.warning(
            "%s: %d labels name passages that are gone or changed and are left out: run `python -m chatbot train`",
            path,
            dropped,
        )
    return tuple(out)


class Examples:
    """Labelled examples as TF-IDF vectors in the index's space, stored by feature for fast lookup.

    Parameters
    ----------
    examples:
        The labelled questions.
    positions:
        Pair id → the pair's position in the knowledge base.
    vectorize:
        The index's vectorizer (the answerer passes :meth:`chatbot.index.Index.word_vectors`),
        applied to the examples' prepared texts (``prepare``) all at once.
    prepare:
        What of an example is vectorised (its question part, lay words expanded), as a question is.
    reuse:
        A classifier a build stored before, kept if it was fitted on these very examples
        (:meth:`chatbot.classifier.QuestionClassifier.fit`).
    """

    def __init__(
        self,
        examples: Sequence[Example],
        *,
        positions: dict[str, int],
        vectorize: Vectorizer,
        prepare: Callable[[str], str],
        reuse: QuestionClassifier | None = None,
    ) -> None:
        self.examples = tuple(examples)
        self.labels_ = _labels(self.examples, positions)
        self.pair_count_ = max(positions.values(), default=-1) + 1
        self.meanings_: Meanings | None = None
        """Vectors in meaning a build made with these examples (:mod:`chatbot.examplefile`), or ``None``."""
        self._said: Sequence[str] | None = None
        vectors = vectorize([prepare(e.text) for e in self.examples])
        self._store(vectors)
        self.classifier_ = self._fit_classifier(reuse)
        """Which pair the question asks for, learned from these examples (:mod:`chatbot.classifier`);
        ``None`` with too few examples to learn from."""

    @classmethod
    def from_vectors(
        cls,
        examples: Sequence[Example],
        *,
        positions: dict[str, int],
        vectors: Sequence[tuple[np.ndarray, np.ndarray]],
        meanings: Meanings | None = None,
        said: Sequence[str] | None = None,
        classifier: QuestionClassifier | Literal["fit"] | None = "fit",
    ) -> Examples:
        """Examples whose vectors were made earlier, by the same vectorizer and preparation
        (``examples.npz``, see :mod:`chatbot.examplefile`); a label not in ``positions`` raises ``KeyError``.

        ``meanings`` are the answerer's vectors in meaning made with them, ``said`` each
        example's text normalised (see :attr:`pair_words_`), and ``classifier`` the one fitted on
        them (``None``: too few to fit one), when the build stored those too; ``"fit"`` fits it
        here (seconds, not milliseconds).
        """
        if len(vectors) != len(examples) or (said is not None and len(said) != len(examples)):
            raise ValueError(f"{len(examples)} examples but {len(vectors)} vectors")
        made = cls.__new__(cls)
        made.examples = tuple(examples)
        made.labels_ = _labels(made.examples, positions)
        made.pair_count_ = max(positions.values(), default=-1) + 1
        made.meanings_ = meanings
        made._said = said
        made._store(vectors)
        made.classifier_ = made._fit_classifier() if isinstance(classifier, str) else classifier
        return made

    def _fit_classifier(self, reuse: QuestionClassifier | None = None) -> QuestionClassifier | None:
        """The classifier of these examples' normalised texts (a question is read the same way)."""
        if not self.examples:
            return None
        return QuestionClassifier.fit(
            self.normalised_texts(), [labels.tolist() for labels in self.labels_], reuse=reuse
        )

    def normalised_texts(self) -> list[str]:
        """Each example's text normalised: the words :attr:`pair_words_` collects (a build stores them)."""
        return list(self._said) if self._said is not None else [normalize(e.text) for e in self.examples]

    def _store(self, vectors: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        self.vectors_ = tuple(vectors)
        rows = np.repeat(np.arange(len(vectors), dtype=np.int64), [len(f) for f, _ in vectors])
        features = np.concatenate([f for f, _ in vectors] or [np.zeros(0, dtype=np.int64)]).astype(np.int64)
        weights = np.concatenate([w for _, w in vectors] or [np.zeros(0)])
        order = np.argsort(features, kind="stable")
        self._rows, self._weights = rows[order], weights[order]
        self._features = features[order]
        # Every (example, label) at once: a loop over 2,500 examples cost a start about 10 ms.
        pair_count = max(self.pair_count_, 0)
        labelled_rows = np.repeat(np.arange(len(self.labels_), dtype=np.int64), [len(lab) for lab in self.labels_])
        labels = np.concatenate([*self.labels_, np.zeros(0, dtype=np.int64)]).astype(np.int64)
        membership = np.zeros((len(self.examples), pair_count), dtype=bool)
        membership[labelled_rows, labels] = True
        self._membership = membership
        by_label = labelled_rows[np.argsort(labels, kind="stable")]  # each label's examples in example order
        self._labelled = cut_at(by_label, np.cumsum(np.bincount(labels, minlength=pair_count)))
        self.unanswered_ = np.asarray([not len(labels) for labels in self.labels_], dtype=bool)
        """For each example, whether it is labelled with no pair (the documents do not answer it)."""

    def without(self, keep: Sequence[bool]) -> Examples:
        """These examples but only those where ``keep`` is true (training leaves a fold's own out)."""
        chosen = Examples.__new__(Examples)
        chosen.examples = tuple(e for e, k in zip(self.examples, keep, strict=True) if k)
        chosen.labels_ = [lab for lab, k in zip(self.labels_, keep, strict=True) if k]
        chosen.pair_count_ = self.pair_count_
        chosen.meanings_ = None
        chosen._said = None
        chosen._store([v for v, k in zip(self.vectors_, keep, strict=True) if k])
        chosen.classifier_ = chosen._fit_classifier()
        return chosen

    @cached_property
    def pair_words_(self) -> list[frozenset[str]]:
        """For each pair (by position), every word of the patient questions labelled with it,
        normalised. A word the documents never use but patients use when asking what a passage
        answers ("paracetamol", for the passage on over-the-counter pain medication) is a lay word
        for something that passage describes; the same word in a question the passage does not
        answer ("the side effects of ibuprofen") is not."""
        words: list[set[str]] = [set() for _ in range(max(self.pair_count_, 0))]
        for text, labels in zip(self.normalised_texts(), self.labels_, strict=True):
            said = text.split()
            for label in labels:
                words[label].update(said)
        return [frozenset(found) for found in words]

    def similarities(self, features: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cosine similarity of a (unit-length) query vector with every example."""
        if not len(self.examples) or not len(features):
            return np.zeros(len(self.examples))
        starts = np.searchsorted(self._features, features, side="left")
        lengths = np.searchsorted(self._features, features, side="right") - starts
        return sparse_dot(starts, lengths, self._rows, self._weights, weights, len(self.examples))

    def labelled_with(self, pairs: Sequence[int] | np.ndarray) -> list[np.ndarray]:
        """For each pair position of ``pairs``, the positions of the examples labelled with it."""
        return [self._labelled[p] for p in np.asarray(pairs).tolist()]

    def _closest(self, sims: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """For each pair at ``pairs``, the highest of ``sims`` among its examples (0 if it has none,
        or if none is above 0)."""
        return np.maximum(highest_of(sims, self.labelled_with(pairs), empty=0.0), 0.0)

    def votes(self, features: np.ndarray, weights: np.ndarray, pairs: np.ndarray) -> Votes:
        """For the pairs at ``pairs``: the similarity of their closest example, and their share of
        the similarity of the question's :data:`NEIGHBOURS` nearest examples; and for the
        question, the same two numbers for the examples no passage answers."""
        if not len(self.examples):
            return Votes(np.zeros(len(pairs)), np.zeros(len(pairs)), 0.0, 0.0)
        sims = self.similarities(features, weights)
        closest = self._closest(sims, pairs)
        unanswered = float(sims[self.unanswered_].max(initial=0.0))
        nearest = _nearest(sims, NEIGHBOURS)
        total = sims[nearest].sum()
        if total <= 0:
            return Votes(closest, np.zeros(len(pairs)), unanswered, 0.0)
        share = (sims[nearest, None] * self._membership[nearest][:, pairs]).sum(axis=0) / total
        return Votes(closest, share, unanswered, float(sims[nearest][self.unanswered_[nearest]].sum() / total))


def highest_of(values: np.ndarray, groups: Sequence[np.ndarray], *, empty: float) -> np.ndarray:
    """For each group of positions in ``values``, the highest of its values (``empty`` for an empty
    group): a dozen groups gathered and their highest taken in one call, not a mask over every
    value for each of them."""
    out = np.full(len(groups), empty)
    having = [r for r, rows in enumerate(groups) if len(rows)]
    if having:
        starts = np.cumsum([0] + [len(groups[r]) for r in having[:-1]])
        out[having] = np.maximum.reduceat(values[np.concatenate([groups[r] for r in having])], starts)
    return out


def _labels(examples: Sequence[Example], positions: dict[str, int]) -> list[np.ndarray]:
    """Each example's labels as pair positions: views of one array (an array each cost 2 µs of 2,500)."""
    flat = np.asarray([positions[p] for e in examples for p in e.pairs], dtype=np.int64)
    return cut_at(flat, np.cumsum([len(e.pairs) for e in examples]))


class Votes(NamedTuple):
    """What the nearest examples say of a question (:meth:`Examples.votes`)."""

    closest: np.ndarray
    """Per candidate pair: the similarity of its closest example."""
    share: np.ndarray
    """Per candidate pair: its share of the similarity of the question's nearest examples."""
    unanswered: float
    """The similarity of the closest example no passage answers."""
    unanswered_share: float
    """Those examples' share of the similarity of the question's nearest examples."""


def _nearest(sims: np.ndarray, count: int) -> np.ndarray:
    """The positions of the ``count`` highest of ``sims``, highest first, equals in position order:
    the first ``count`` of a stable sort, sorting only those at least as high as the ``count``-th."""
    if len(sims) <= count:
        return np.argsort(-sims, kind="stable")
    high = np.flatnonzero(sims >= np.partition(sims, len(sims) - count)[len(sims) - count])
    return high[np.argsort(-sims[high], kind="stable")][:count]

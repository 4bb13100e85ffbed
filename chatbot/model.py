"""The calibrated answer model, as reviewed text: a ranker and a decider over document-agnostic features.

Two stages, each doing one job. The **ranker** (gradient-boosted trees) orders a question's
candidate passages: which one answers it best. The **decider** (a logistic regression) says how
likely the chosen candidate is to be a right answer, from its features, the ranker's score and its
lead over the runner-up; trained on held-out ranker scores, its output is a calibrated probability,
and the bot answers only at or above ``threshold``, chosen on questions neither stage was fitted to.

``chatbot/model.json`` is written by ``python -m chatbot train`` (:mod:`chatbot.train`) from the
labelled patient questions in ``tests/bank/``. It is plain JSON, not a pickle: a reviewer can read
it, a diff shows what a retraining changed, and loading it runs no code. Prediction is NumPy
array indexing and a dot product: scikit-learn is needed to train the model, not to use it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import KnowledgeBaseError

__all__ = [
    "DECIDER_FEATURES",
    "DEFAULT_MODEL",
    "FEATURES",
    "NOT_COVERED",
    "AnswerModel",
    "Linear",
    "TopicModel",
    "Trees",
    "decider_rows",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "model.json"

FEATURES: tuple[str, ...] = (
    "score",  # the retrieval score: TF-IDF, rapidfuzz and key terms blended, times coverage
    "tfidf",  # TF-IDF cosine with the closest phrasing and the passage
    "phrasing_sim",  # TF-IDF cosine with the closest phrasing alone
    "answer_sim",  # TF-IDF cosine with the whole passage
    "sentence_sim",  # TF-IDF cosine with the closest sentence or list item of the passage
    "fuzzy",  # rapidfuzz token-set/sort similarity with the closest phrasing
    "terms",  # share of the question's known key words (IDF-weighted) the pair contains
    "found",  # share of the question's words, weighted by how telling they are in English, the pair contains
    "in_procedure",  # the same share for all the passages of the pair's procedure ("legs" → SDR)
    "missing",  # how telling the most telling question word the pair lacks is
    "known",  # share of the question's telling words the knowledge base knows at all
    "max_unknown",  # how telling the most telling word the knowledge base does not know is
    "group_match",  # the question clearly asks about risks/recovery/…, and the pair is about that
    "group_mismatch",  # the question clearly asks about one thing, and the pair is about another
    "no_topic",  # a pair of the clinic's own, with no topic
    "figure_missing",  # the question asks for a rate or number, and the passage states none
    "procedure_match",  # the question names the pair's procedure
    "procedure_mismatch",  # the question names another procedure
    "gap_to_best",  # how far the pair's retrieval score is behind the best candidate's
    "lead",  # for the best candidate, its lead over the runner-up
    "length",  # the number of content words in the question (capped at 10), over 10
    "intent",  # rapidfuzz similarity of the question and the closest phrasing, words most passages share left out
    "asks_topic",  # the question uses the words that mark the pair's topic ("eat" for fasting)
    "topic_phrasing_sim",  # phrasing_sim of the question without the words naming the procedure or body part
    "topic_answer_sim",  # answer_sim of that question
    "topic_sentence_sim",  # sentence_sim of that question
    "asks_risk",  # the question asks about risks ("is it safe", "side effects")
    "asks_outcome",  # … about results ("how long does it last", "does it work")
    "asks_preparation",  # … about preparing ("before", "fast", "blood thinners")
    "asks_recovery",  # … about recovery ("recover", "back to work", "physio")
    "pair_risk",  # the pair is about risks
    "pair_outcome",  # … about results
    "pair_preparation",  # … about preparing
    "pair_recovery",  # … about recovery
    "sentence_found",  # "found", for the pair's one sentence or list item that contains most of the question
    "rel_sentence",  # sentence_sim minus the best candidate's: the model compares candidates, not only scores them
    "rel_answer",  # the same for answer_sim
    "rel_found",  # the same for found
    "rel_intent",  # the same for intent
    "topic_prob",  # how likely the question asks about the pair's topic, by the learned topic model
    "rel_topic_prob",  # topic_prob minus the best candidate's
    "group_prob",  # how likely the question asks about the pair's topic group (results, risks …), by the topic model
    "rel_group_prob",  # group_prob minus the best candidate's
    "unknown_beyond",  # max_unknown above 0.6, else 0: a kink the linear decider can weigh on its own,
    "missing_beyond",  # and missing above 0.6: one very telling word ("stimulator") outweighs many matches
    "not_covered_prob",  # how likely the question asks something no passage covers (cost, insurance, weather)
    "example_sim",  # TF-IDF cosine with the closest patient question labelled with the pair (chatbot.examples)
    "example_vote",  # the pair's share of the similarity of the question's nearest labelled patient questions
    "rel_example_sim",  # example_sim minus the best candidate's
    "meaning_phrasing",  # cosine of the question's and the closest phrasing's embeddings (chatbot.embedding)
    "meaning_sentence",  # … of the closest sentence or list item of the passage
    "meaning_example",  # … of the closest patient question labelled with the pair
    "rel_meaning_phrasing",  # meaning_phrasing minus the best candidate's
    "rel_meaning_sentence",  # the same for meaning_sentence
    "rel_meaning_example",  # the same for meaning_example
    "example_known",  # the pair has labelled patient questions at all (a clinic's new document has none)
    "region_match",  # share of the body parts the question names ("lower back") the pair's procedure's passages name
    "region_mismatch",  # share they never name ("the back one", a neck procedure); both 0 if the question names none
    "max_unheard",  # max_unknown, of the words the pair's labelled patient questions never use either
    "unheard_beyond",  # max_unheard above 0.6, else 0 ("paracetamol": patients ask the OTC medication passage so)
    "unanswered_sim",  # TF-IDF cosine with the closest patient question no passage answers (chatbot.examples)
    "unanswered_vote",  # those questions' share of the similarity of the question's nearest labelled ones
    "meaning_unanswered",  # embedding cosine with the closest patient question no passage answers
    "example_over_unanswered",  # example_sim minus unanswered_sim: nearer the pair's examples or the unanswered
    "meaning_over_unanswered",  # meaning_example minus meaning_unanswered
    "message_unknown",  # max_unknown of the whole message when its question part is searched ("gabapentin" in a story)
    "message_unknown_beyond",  # message_unknown above 0.6, else 0
    "classifier",  # the probability the examples' classifier gives the pair, for the whole message (chatbot.classifier)
    "rel_classifier",  # classifier over the best candidate's (0 when no candidate has any)
    "classifier_none",  # the classifier's probability that no passage answers the message
)


DECIDER_FEATURES: tuple[str, ...] = (*FEATURES, "rank_score", "rank_lead")
"""The decider sees a candidate's features, the ranker's score for it, and its lead over the
best candidate on another topic (see :func:`decider_rows`)."""


@dataclass(frozen=True)
class Trees:
    """A gradient-boosted ensemble of regression trees, as arrays: ``raw(rows)`` is its log-odds.

    Every tree is padded to the same node count; a leaf points to itself, so walking ``depth``
    steps from the root lands on a leaf whatever path was taken, for all trees and rows at once.
    """

    feature: np.ndarray  # (trees, nodes) int: the feature a node splits on (0 at leaves)
    threshold: np.ndarray  # (trees, nodes) float: go left when the feature is <= this
    left: np.ndarray  # (trees, nodes) int
    right: np.ndarray  # (trees, nodes) int
    value: np.ndarray  # (trees, nodes) float: a leaf's contribution, learning rate included
    baseline: float
    depth: int
    splits_: np.ndarray = field(init=False, repr=False, compare=False)  # (trees, 2**depth - 1) feature
    cuts_: np.ndarray = field(init=False, repr=False, compare=False)  # (trees, 2**depth - 1) threshold
    leaves_: np.ndarray = field(init=False, repr=False, compare=False)  # (trees, 2**depth) value
    flat_: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)
    """``splits_`` and ``cuts_`` flattened, ``leaves_`` flattened and where each tree's leaves
    start in it (less the place numbers of the last level): what :meth:`raw` reads for every
    question, made once."""

    def __post_init__(self) -> None:
        # Each tree laid out as a complete binary tree of ``depth`` levels (node h's children at
        # 2h + 1 and 2h + 2): a leaf above the last level fills every place below it, so the walk
        # is arithmetic on positions instead of looking up left and right children.
        splits = 2**self.depth - 1
        trees = np.arange(self.feature.shape[0])[:, None]
        place = np.zeros((len(trees), 2 * splits + 1), dtype=np.int64)  # the node at each place
        for h in range(splits):
            place[:, 2 * h + 1] = self.left[trees[:, 0], place[:, h]]
            place[:, 2 * h + 2] = self.right[trees[:, 0], place[:, h]]
        object.__setattr__(self, "splits_", self.feature[trees, place[:, :splits]])
        object.__setattr__(self, "cuts_", self.threshold[trees, place[:, :splits]])
        object.__setattr__(self, "leaves_", self.value[trees, place[:, splits:]])
        offsets = np.arange(len(trees)) * (splits + 1) - splits
        object.__setattr__(self, "flat_", (self.splits_.ravel(), self.cuts_.ravel(), self.leaves_.ravel(), offsets))

    def raw(self, rows: np.ndarray) -> np.ndarray:
        """The ensemble's log-odds for each row (compared in float32, as scikit-learn's trees compare)."""
        rows = rows.astype(np.float32).astype(np.float64)
        trees, splits = self.splits_.shape
        flat_splits, flat_cuts, flat_leaves, offsets = self.flat_
        # Every split of every tree is tested for every row at once (``take`` along one axis is a
        # fraction of the cost of fancy indexing); each (row, tree) then walks down its tree's
        # answers, read at (row, tree, place) in the flattened answers.
        left = np.less_equal(np.take(rows, flat_splits, axis=1), flat_cuts).ravel()
        first = np.arange(0, rows.shape[0] * trees * splits, splits).reshape(rows.shape[0], trees)
        place = np.zeros((rows.shape[0], trees), dtype=np.int64)
        for _ in range(self.depth):
            place = 2 * place + 2 - left[first + place]
        return self.baseline + flat_leaves[place + offsets].sum(axis=1)

    def to_data(self) -> dict[str, object]:
        return {
            "baseline": round(float(self.baseline), 8),
            "depth": self.depth,
            "trees": [
                {
                    "feature": [int(v) for v in self.feature[t]],
                    "threshold": [round(float(v), 8) for v in self.threshold[t]],
                    "left": [int(v) for v in self.left[t]],
                    "right": [int(v) for v in self.right[t]],
                    "value": [round(float(v), 8) for v in self.value[t]],
                }
                for t in range(self.feature.shape[0])
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, object], features: int) -> Trees:
        trees = data["trees"]
        if not isinstance(trees, list) or not trees:
            raise ValueError("no trees")
        size = max(len(t["feature"]) for t in trees)
        arrays = {key: np.zeros((len(trees), size)) for key in ("feature", "threshold", "left", "right", "value")}
        for i, tree in enumerate(trees):
            n = len(tree["feature"])
            if any(len(tree[key]) != n for key in arrays):
                raise ValueError(f"tree {i} has lists of different lengths")
            for key in arrays:
                arrays[key][i, :n] = tree[key]
        ints = {key: arrays[key].astype(np.int64) for key in ("feature", "left", "right")}
        if ints["feature"].min() < 0 or ints["feature"].max() >= features:
            raise ValueError("a tree splits on a feature that does not exist")
        if ints["left"].min() < 0 or ints["right"].min() < 0 or max(ints["left"].max(), ints["right"].max()) >= size:
            raise ValueError("a tree points outside itself")
        return cls(
            ints["feature"], arrays["threshold"], ints["left"], ints["right"], arrays["value"],
            float(data["baseline"]), int(data["depth"]),
        )  # fmt: skip


@dataclass(frozen=True)
class Linear:
    """Standardised features → logistic probability."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_data(self) -> dict[str, object]:
        return {
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "coef": [round(float(v), 8) for v in self.coef],
            "intercept": round(float(self.intercept), 8),
        }

    @classmethod
    def from_data(cls, data: dict[str, object], features: int) -> Linear:
        arrays = [np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "coef")]
        if any(a.shape != (features,) for a in arrays) or not np.all(np.isfinite(np.concatenate(arrays))):
            raise ValueError("the decider has the wrong number of values or non-finite ones")
        mean, scale, coef = arrays
        return cls(mean, np.where(scale > 0, scale, 1.0), coef, float(data["intercept"]))


NOT_COVERED = "~not-covered"
"""The topic model's class for questions no passage answers: costs, insurance, the weather."""


@dataclass(frozen=True)
class TopicModel:
    """Which kind of thing a question asks, learned from how patients word it: a multinomial
    logistic regression over the TF-IDF of its stemmed words and word pairs.

    The classes are the extractor's topics ("duration", "risks", "return-to-activities" …), not
    pairs or documents, so the model knows that "time off work" asks about getting back to normal
    and "how risky" about risks for any clinic's documents, without retraining. Questions arrive
    with the words naming the knowledge base's procedures removed, so it learns the asked thing,
    not the procedure. :data:`NOT_COVERED` is learned from uncovered and off-topic questions
    (costs, insurance) but not from questions about other procedures: taught that "knee
    injection" is not covered, it held back a clinic's new document about exactly that.
    """

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (terms,)
    coef: np.ndarray  # (classes, terms)
    intercept: np.ndarray  # (classes,)

    def probabilities(self, terms: list[str]) -> np.ndarray:
        """P(class) for a question given as its analysed terms (as :func:`chatbot.index` analyses words).

        The same sublinear TF-IDF with unit length as scikit-learn's ``TfidfVectorizer`` fits, so
        the probabilities are the trained classifier's.
        """
        counts: dict[int, int] = {}
        for term in terms:
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        z = self.intercept.copy()
        if counts:
            columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[
                columns
            ]
            z += self.coef[:, columns] @ (values / np.linalg.norm(values))
        z = np.exp(z - z.max())
        return z / z.sum()

    def to_data(self) -> dict[str, object]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "classes": list(self.classes),
            "terms": terms,
            "idf": [round(float(v), 5) for v in self.idf],
            "coef": [[round(float(v), 4) for v in row] for row in self.coef],
            "intercept": [round(float(v), 6) for v in self.intercept],
        }

    @classmethod
    def from_data(cls, data: dict[str, object]) -> TopicModel:
        classes = tuple(str(c) for c in data["classes"])  # type: ignore[union-attr]
        terms = [str(t) for t in data["terms"]]  # type: ignore[union-attr]
        idf = np.asarray(data["idf"], dtype=np.float64)
        coef = np.asarray(data["coef"], dtype=np.float64)
        intercept = np.asarray(data["intercept"], dtype=np.float64)
        if (
            len(classes) < 2
            or idf.shape != (len(terms),)
            or coef.shape != (len(classes), len(terms))
            or intercept.shape != (len(classes),)
            or len(set(terms)) != len(terms)
        ):
            raise ValueError("the topic model's classes, terms and coefficients do not fit together")
        if not (np.all(np.isfinite(idf)) and np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
            raise ValueError("the topic model has non-finite values")
        return cls(classes, {t: i for i, t in enumerate(terms)}, idf, coef, intercept)


@dataclass(frozen=True)
class AnswerModel:
    """Ranks a question's candidates (``ranker``), then gives the probability that a candidate is
    a right answer (``decider``), answered only at or above ``threshold``. ``topics`` tells what
    kind of thing a question asks (``None``: not known, its features are left at zero). A question
    with a word the documents never use that is more telling than ``unknown_cut`` (in general
    English, see :func:`chatbot.lexicon.informativeness`) is declined whatever the probability:
    it most often names a procedure or circumstance the documents do not describe ("spinal cord
    stimulator", "kyphoplasty"), the most harmful thing to answer with a rhizotomy passage. The
    cut is learned with the threshold (1.0: no cut)."""

    ranker: Trees | Linear
    decider: Linear
    threshold: float
    topics: TopicModel | None = None
    unknown_cut: float = 1.0

    def rank(self, rows: np.ndarray) -> np.ndarray:
        """A ranking score (log-odds) per candidate row: higher is a better answer."""
        if isinstance(self.ranker, Trees):
            return self.ranker.raw(rows)
        return ((rows - self.ranker.mean) / self.ranker.scale) @ self.ranker.coef + self.ranker.intercept

    def decide(self, rows: np.ndarray, topics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ranking scores, probabilities) for a question's candidate rows (``topics``: one code per row)."""
        scores = self.rank(rows)
        return scores, self.decider.predict(decider_rows(rows, scores, topics))

    @classmethod
    def retrieval_only(cls, threshold: float = 0.5) -> AnswerModel:
        """A stand-in that ranks and decides by the retrieval score alone: what ``train`` starts
        from, so a model trained on other features never has to be read to train a new one."""
        coef = np.zeros(len(FEATURES))
        coef[FEATURES.index("score")] = 10.0
        ranker = Linear(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef, -4.0)
        decider_coef = np.zeros(len(DECIDER_FEATURES))
        decider_coef[DECIDER_FEATURES.index("score")] = 10.0
        decider = Linear(np.zeros(len(DECIDER_FEATURES)), np.ones(len(DECIDER_FEATURES)), decider_coef, -4.0)
        return cls(ranker, decider, threshold)

    def to_json(self) -> str:
        ranker = self.ranker.to_data()
        ranker["kind"] = "trees" if isinstance(self.ranker, Trees) else "linear"
        data = {
            "features": list(FEATURES),
            "decider_features": list(DECIDER_FEATURES),
            "threshold": round(float(self.threshold), 4),
            "unknown_cut": round(float(self.unknown_cut), 4),
            "decider": self.decider.to_data(),
            "ranker": ranker,
            "topics": self.topics.to_data() if self.topics else None,
        }
        return json.dumps(data, indent=1) + "\n"

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_MODEL) -> AnswerModel:
        """Read a model written by :meth:`to_json`; a missing, broken or mismatched file raises."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KnowledgeBaseError(path, None, "answer model not found: run `python -m chatbot train`") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise KnowledgeBaseError(path, None, f"answer model cannot be read: {error}") from None
        if (
            not isinstance(data, dict)
            or tuple(data.get("features", ())) != FEATURES
            or tuple(data.get("decider_features", ())) != DECIDER_FEATURES
        ):
            raise KnowledgeBaseError(
                path, None, "answer model was trained on other features: run `python -m chatbot train`"
            )
        try:
            ranker_data = data["ranker"]
            ranker: Trees | Linear = (
                Trees.from_data(ranker_data, len(FEATURES))
                if ranker_data.get("kind") == "trees"
                else Linear.from_data(ranker_data, len(FEATURES))
            )
            decider = Linear.from_data(data["decider"], len(DECIDER_FEATURES))
            threshold = float(data["threshold"])
            topics = TopicModel.from_data(data["topics"]) if data.get("topics") is not None else None
            unknown_cut = float(data.get("unknown_cut", 1.0))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise KnowledgeBaseError(path, None, f"answer model is incomplete or inconsistent: {error}") from None
        if not 0.0 < threshold < 1.0:
            raise KnowledgeBaseError(path, None, f"answer threshold must be between 0 and 1, got {threshold}")
        if not 0.0 < unknown_cut <= 1.0:
            raise KnowledgeBaseError(path, None, f"unknown_cut must be above 0 and at most 1, got {unknown_cut}")
        return cls(ranker, decider, threshold, topics, unknown_cut)


def decider_rows(rows: np.ndarray, scores: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """Candidate rows extended with the ranker's score and its lead over the best candidate in
    another topic group (over the best other candidate if all share its group).

    Several passages often answer the same thing (each procedure's passage on risks; two
    documents' passages on recovery from the same operation): a tie between them is no doubt
    about the answer. A close runner-up about another kind of thing is.
    """
    others = ~np.eye(len(scores), dtype=bool)
    elsewhere = others & (topics[:, None] != topics[None, :])
    rivals = np.where(elsewhere.any(axis=1)[:, None], elsewhere, others)
    best_rival = np.where(rivals, scores[None, :], -np.inf).max(axis=1, initial=-np.inf)
    lead = np.where(np.isfinite(best_rival), scores - best_rival, 5.0)
    return np.column_stack([rows, scores, lead])

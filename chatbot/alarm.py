"""A learned second look at red flags, for what the word rules miss and what they misread.

The rules in ``safety.yaml`` decide, and a clinic can read exactly why they did; but measured on
reports that helpers wrote without seeing them, they missed one in five, then one in three ("I
just want it all to stop", "she went all floppy and won't respond to me", "his pad has been bone
dry since yesterday"): a patient's next wording is always new. This model reads every message:

* one the rules let through that it is confident reports a red flag is still answered, with the
  urgent advice of the rule it most resembles (or general advice) above the answer as a safety
  net (:meth:`AlarmModel.suspect`);
* one the rules report that it finds very unlikely to be happening now ("I had a seizure once
  when I was 19") is answered too, with that rule's advice above the answer instead of the
  emergency reply alone (:meth:`AlarmModel.doubts`).

Either way the advice is shown, first: the model never takes it away.

It is a multinomial logistic regression over the same two TF-IDF spaces as the index (stemmed
word 1–2-grams and character 3–5-grams), trained by ``python -m chatbot train-alarm``
(:mod:`chatbot.alarmtrain`) on the safety tables and the question bank: one class per rule and
one for "nothing to report". The probability that a message reports something is one minus the
last. The arrays are stored in ``chatbot/alarm.npz`` (:mod:`chatbot.arrayfile`: no pickle, a
digest of every array), so answering needs no scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .arrayfile import read_arrays
from .errors import KnowledgeBaseError
from .index import NgramColumns, char_wb_ngrams, term_counts, unit_tfidf
from .normalize import normalize, stemmed_ngrams

__all__ = ["ALARM_FORMAT", "DEFAULT_ALARM", "NOTHING", "UNSURE", "AlarmModel", "Suspicion", "alarm_features"]

ALARM_FORMAT = 1
KINDS = {"word_terms": "U", "char_terms": "U", "idf": "f", "coef": "f", "intercept": "f", "classes": "U"}
"""The stored arrays and their kinds; ``coef`` is stored row after row (one row per class)."""
DEFAULT_ALARM = Path(__file__).resolve().parent / "alarm.npz"
NOTHING = ""
"""The class of messages that report no red flag."""
RULE_SHARE = 0.5
"""Share of the probability of a report that one rule must hold for its advice to be given.

Measured on reports the model had not seen, the rule it found most likely was right whenever it
held half the probability or more; below that it was often wrong (a stroke read as a bladder
problem), and a wrong symptom's advice misleads. Below it the reply gives the general advice of
:data:`UNSURE`."""
UNSURE = (
    "Some of what you describe can be a sign of a problem that needs urgent care. If you, or the person you "
    "care for, are unwell now, please call the clinic's urgent line: {urgent_phone}, or {emergency_number} if "
    "it is serious or getting worse quickly. If you are having thoughts of harming yourself, you can talk to "
    "someone any time: {crisis_line}."
)
"""The safety net when no rule clearly fits (filled with the clinic's details)."""

ANALYZERS: tuple[Callable[[str], list[str]], ...] = (stemmed_ngrams, char_wb_ngrams)
"""The two TF-IDF spaces, each normalised on its own and then laid side by side (as scikit-learn's
two vectorizers stacked): stemmed words and word pairs, and character n-grams for typos."""


def alarm_features(text: str) -> tuple[list[str], ...]:
    """The terms of ``text`` in each space, read from its normalised form."""
    words = normalize(text)
    return tuple(analyzer(words) for analyzer in ANALYZERS)


@dataclass(frozen=True)
class AlarmModel:
    """The learned state: each space's vocabulary and IDF, one weight row per class, and the threshold.

    Parameters
    ----------
    vocabularies:
        term → column, one per space (columns of the second space follow the first's).
    idf:
        the IDF of every column.
    coef, intercept:
        the classes' weights (``len(classes)`` × columns) and biases.
    classes:
        rule names, and :data:`NOTHING`.
    threshold:
        the probability of a report at or above which a message gets the safety net, chosen
        when training so that few ordinary questions and look-alikes do.
    doubt:
        the probability of a report below which a red flag the rules report is doubted
        (:meth:`doubts`); below every report the rules catch among the training messages.
    words:
        words whose character n-grams are looked up once, when the model is made
        (:meth:`knowing`), not for every message; the probabilities are the same.
    """

    vocabularies: tuple[dict[str, int], dict[str, int]]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[str, ...]
    threshold: float
    doubt: float = 0.0
    words: frozenset[str] = frozenset()
    ngrams_: NgramColumns = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ngrams_", NgramColumns(self.vocabularies[1], self.words))

    def knowing(self, words: Iterable[str]) -> AlarmModel:
        """This model, with the character n-grams of ``words`` (a knowledge base's, which most
        messages use) looked up once: the same probabilities, sooner."""
        return replace(self, words=frozenset(words))

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_ALARM) -> AlarmModel:
        """Read a model ``train-alarm`` wrote; a missing, damaged or foreign file raises
        :class:`KnowledgeBaseError` naming it."""
        meta, arrays = read_arrays(
            path, KINDS, version=ALARM_FORMAT, what="alarm model", rebuild="run `python -m chatbot train-alarm`"
        )
        words, chars = arrays["word_terms"].tolist(), arrays["char_terms"].tolist()
        classes = tuple(arrays["classes"].tolist())
        columns = len(words) + len(chars)
        threshold, doubt = meta.get("threshold"), meta.get("doubt")
        if (
            len(arrays["idf"]) != columns
            or len(arrays["coef"]) != len(classes) * columns
            or len(arrays["intercept"]) != len(classes)
            or NOTHING not in classes
            or not isinstance(threshold, float)
            or not isinstance(doubt, float)
            or not 0.0 <= doubt < threshold < 1.0
        ):
            raise KnowledgeBaseError(
                Path(path), None, "arrays or threshold that do not fit together; run `python -m chatbot train-alarm`"
            )
        return cls(
            (
                dict(zip(words, range(len(words)), strict=True)),
                dict(zip(chars, range(len(words), columns), strict=True)),
            ),
            arrays["idf"],
            arrays["coef"].reshape(len(classes), columns),
            arrays["intercept"],
            classes,
            threshold,
            doubt,
        )

    def probabilities(self, text: str) -> np.ndarray:
        """The probability of every class for ``text``."""
        columns: list[int] = []
        values: list[float] = []
        words = normalize(text)
        counts = (term_counts(self.vocabularies[0], stemmed_ngrams(words)), self.ngrams_.counts(words))
        for found in counts:  # terms the model does not know left out
            if not found:
                continue
            column, weight = unit_tfidf(found, self.idf)
            columns.extend(column.tolist())
            values.extend(weight.tolist())
        scores = self.intercept + (self.coef[:, columns] @ np.asarray(values) if columns else 0.0)
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def report_probability(self, text: str) -> float:
        """The probability that ``text`` reports a red flag (any rule's)."""
        return self._reported(self.probabilities(text))

    def _reported(self, probabilities: np.ndarray) -> float:
        """One minus the probability of :data:`NOTHING`."""
        return 1.0 - float(probabilities[self.classes.index(NOTHING)])

    def doubts(self, text: str) -> bool:
        """Whether a red flag the rules found in ``text`` is most likely not reported now: a
        symptom told as history, a denial or a risk the rules read as a report ("I had a seizure
        once when I was 19, nothing since")."""
        return self.report_probability(text) < self.doubt

    def suspect(self, text: str, *, rules: Sequence[str], denied: Collection[str] = ()) -> Suspicion | None:
        """Whether ``text`` likely reports a red flag (``None`` below the threshold), and which of
        ``rules`` (the clinic's) it most resembles, if one clearly does (:data:`RULE_SHARE`).

        ``denied``: the rules whose symptom the message denies in so many words, as the rules
        read it (:attr:`chatbot.safety.Assessment.denied`). A suspicion of one of those is none:
        "I'm not having any chest pain but I feel tired" shares most of its words with a report
        of chest pain, and the model's word counts barely see the "not".
        """
        probabilities = self.probabilities(text)
        reported = self._reported(probabilities)
        if reported < self.threshold:
            return None
        known = [i for i, name in enumerate(self.classes) if name in rules]
        best = max(known, key=lambda i: probabilities[i], default=None)
        clear = best is not None and probabilities[best] >= RULE_SHARE * reported
        if clear and self.classes[best] in denied:
            return None
        return Suspicion(self.classes[best] if clear else None, round(reported, 4))


@dataclass(frozen=True)
class Suspicion:
    """A message the rules let through that likely reports a red flag: the ``rule`` it most
    resembles (``None`` when no rule clearly does) and the ``probability`` that it reports one."""

    rule: str | None
    probability: float

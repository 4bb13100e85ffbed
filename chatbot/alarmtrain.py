"""Train the red-flag safety net (:mod:`chatbot.alarm`): build-time only, with scikit-learn.

The examples are messages already labelled for the rules: the safety tables of
``tests/safety_cases.py`` (each red flag with its rule, and the look-alikes), the sets helpers
wrote without seeing the rules (``tests/data``, see :func:`alarm_examples`), and
every question of the question bank (questions for information: nothing to report). Two sets are
kept out, to measure the model on messages it has not seen: ``red_flag_reports_3.tsv`` and
``safety_look_alikes_2.tsv`` (``benchmarks/safety_figures.py`` prints those figures).

The threshold is chosen out of fold (five folds): the lowest at which at most
:data:`MAX_FALSE_NETS` of the messages that report nothing would get the safety net. The doubt cut
is the highest multiple of 0.05 below every report the word rules catch, out of fold.
"""

from __future__ import annotations

import runpy
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .alarm import ALARM_FORMAT, ANALYZERS, NOTHING, alarm_features
from .arrayfile import dump_arrays
from .safety import SafetyRules
from .train import read_bank

__all__ = ["ALARM_C", "HELD_OUT", "MAX_FALSE_NETS", "TRAINED_SETS", "alarm_examples", "fit_alarm", "read_rows"]

ALARM_C = 4.0
"""Inverse regularisation strength of the logistic regression (scikit-learn's ``C``)."""
MAX_FALSE_NETS = 0.02
"""Most of the training messages that report nothing (out of fold) that may get the safety net."""
HELD_OUT = frozenset({"red_flag_reports_3.tsv", "safety_look_alikes_2.tsv"})
"""Sets in ``tests/data`` never trained on (nor the rules fixed on): the figures on unseen messages."""
TRAINED_SETS = (
    "red_flag_reports.tsv",
    "red_flag_reports_2.tsv",
    "safety_questions.tsv",
    "safety_questions_2.tsv",
    "safety_look_alikes.tsv",
)
"""Sets in ``tests/data`` trained on. A row labelled ``A`` or with a symptom reports it; ``B`` asks
about a risk, and a look-alike's kind (``risk``, ``past``, ``negated`` …) reports nothing."""
QUIET = frozenset({"B", "risk", "negated", "past", "expected", "other", "planning", "history", "resolved"})
"""Row labels of messages that report nothing."""
SYMPTOM_RULES = {"headache_csf": "severe_headache", "collapse": "unresponsive"}
"""A helper's symptom label → the rule that gives its advice, where the names differ."""


def read_rows(path: Path) -> list[tuple[str, str]]:
    """The (label, message) rows of a tab-separated set in ``tests/data``: lines without a tab are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(label, message) for label, message in (line.split("\t", 1) for line in lines if "\t" in line)]


def alarm_examples(tests: Path, rules: SafetyRules) -> tuple[list[str], list[str], list[bool]]:
    """(messages, labels, ruled): each message with the rule it reports, or :data:`NOTHING`, and
    whether the word rules report a red flag in it.

    A report from ``tests/data`` takes the rule the word rules give it (reported, or asked about
    with the safety net); one they miss takes the rule of the symptom its writer named (what the
    net is for), and one with neither is left out rather than guessed. The question bank's
    patient questions are quiet; those written only to train the answer model
    (``tests/bank/train-only``) are not read, so adding them leaves the safety net as trained.
    """
    cases = runpy.run_path(str(tests / "safety_cases.py"))
    messages: list[str] = [message for message, _ in cases["RED_FLAGS"]]
    labels: list[str] = [name for _, name in cases["RED_FLAGS"]]
    quiet = [*cases["LOOK_ALIKES"], *(q.text for q in read_bank(tests / "bank") if not q.train_only)]
    for name in TRAINED_SETS:
        for label, message in read_rows(tests / "data" / name):
            if label in QUIET:
                quiet.append(message)
                continue
            found = rules.assess(message)
            flag = found.reported or found.asked
            rule = flag.name if flag is not None else SYMPTOM_RULES.get(label, label)
            if rule in rules.names:
                messages.append(message)
                labels.append(rule)
    messages.extend(quiet)
    labels.extend(NOTHING for _ in quiet)
    return messages, labels, [rules.check(message) is not None for message in messages]


def fit_alarm(
    messages: Sequence[str], labels: Sequence[str], ruled: Sequence[bool], *, folds: int = 5
) -> tuple[bytes, dict[str, float]]:
    """The bytes of ``alarm.npz`` learned from ``messages`` and their ``labels``, and out-of-fold figures.

    ``ruled`` says which messages the word rules report: the doubt cut is set below every report
    among them (out of fold), so that no report the rules catch was ever doubted.
    """
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts = [alarm_features(m) for m in messages]
    vectorizers = [
        TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True, lowercase=False, min_df=2) for _ in ANALYZERS
    ]
    matrix = hstack([v.fit_transform([t[i] for t in texts]) for i, v in enumerate(vectorizers)]).tocsr()
    target = np.asarray(labels)
    model = LogisticRegression(C=ALARM_C, class_weight="balanced", max_iter=5000)
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        # A rule with fewer examples than folds (the emergency-call words) is in some folds only.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        out_of_fold = cross_val_predict(model, matrix, target, cv=splits, method="predict_proba")
    model.fit(matrix, target)
    nothing = list(model.classes_).index(NOTHING)
    reported = 1.0 - out_of_fold[:, nothing]
    quiet = target == NOTHING
    cuts = np.round(np.arange(0.30, 0.991, 0.01), 2)
    threshold = next((float(t) for t in cuts if np.mean(reported[quiet] >= t) <= MAX_FALSE_NETS), 0.99)
    caught = np.asarray(ruled) & ~quiet
    doubt = float(np.floor(reported[caught].min() * 20) / 20) if caught.any() else 0.0
    figures = {
        "threshold": threshold,
        "doubt": doubt,
        "false_alarms_doubted": float(np.mean(reported[np.asarray(ruled) & quiet] < doubt)),
        "reports": int((~quiet).sum()),
        "quiet": int(quiet.sum()),
        "reports_caught": float(np.mean(reported[~quiet] >= threshold)),
        "quiet_netted": float(np.mean(reported[quiet] >= threshold)),
    }
    arrays = {
        "word_terms": np.asarray(vectorizers[0].get_feature_names_out(), dtype=str),
        "char_terms": np.asarray(vectorizers[1].get_feature_names_out(), dtype=str),
        "idf": np.concatenate([v.idf_ for v in vectorizers]),
        "coef": model.coef_.astype(np.float32).ravel(),
        "intercept": model.intercept_.astype(np.float64),
        "classes": np.asarray(model.classes_, dtype=str),
    }
    return dump_arrays(arrays, {"format": ALARM_FORMAT, "threshold": threshold, "doubt": doubt}), figures

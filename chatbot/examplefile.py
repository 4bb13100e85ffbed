"""``examples.npz``: the labelled examples already read and vectorised, so a start need not redo it.

Reading ``examples.yaml`` (a thousand questions) and turning every question into its TF-IDF
vector took about a sixth of a second of every start, a command-line question included. The
build does it once and stores the result here (:mod:`chatbot.arrayfile`: plain arrays, checked
against their digest). The result depends on ``examples.yaml``, the pairs' passages (a label
holds only while its passage is unchanged), ``synonyms.yaml`` (lay words are expanded before
vectorising) and the index; the file records a key over all four, and
:func:`read_example_vectors` uses it only when the key still matches. Otherwise (a clinic added
examples and has not rebuilt yet, or the file is damaged) the bot reads ``examples.yaml`` itself:
this file only saves time, it never decides what the bot knows.

The file also holds what the answerer would otherwise embed at every start (since format 2): the
vectors in meaning (:mod:`chatbot.embedding`) of the pairs' phrasings and sentences and of the
examples' question parts, each example's text normalised, and the token ids of every word of
those texts. Tokenizing and summing about 2,900 texts, normalising the examples twice and
reading the tokenizer took about a third of a second of a command-line question. They are made
with the installed WordLlama tokenizer and table, which the key does not cover: the file records
the tokenizer file's SHA-256 and a SHA-256 of the table rows its texts use, and a start whose
installed files differ embeds the texts itself (the examples' own vectors are still used).

The examples' classifier is stored with a SHA-256 of the texts and labels it was fitted on
(:func:`chatbot.classifier.fit_key`): a build that must write the file again for another reason
(a phrasing added, a passage edited) keeps it while the examples are the same
(:func:`read_stored_examples`), instead of fitting it again for half a minute.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from .arrayfile import cut_at, dump_arrays, read_arrays
from .classifier import QuestionClassifier
from .embedding import DIMENSIONS, Embedder, Meanings, WordTokens, tokenizer_digest
from .errors import KnowledgeBaseError
from .examples import Example, Examples, passage_digest
from .index import STATE_FORMAT
from .pairs import Pair
from .paths import KnowledgeBasePaths

__all__ = [
    "EXAMPLES_FORMAT",
    "StoredExamples",
    "dump_example_vectors",
    "example_key",
    "read_example_vectors",
    "read_stored_examples",
]

_log = logging.getLogger(__name__)

EXAMPLES_FORMAT = 4
"""Version of this file's layout and of how an example is prepared and vectorised; part of the key."""

_MEANINGS = ("phrasing", "sentence", "asked")
"""The answerer's texts embedded at load (:func:`chatbot.answerer.meaning_texts`)."""

_KINDS = {
    "texts": "U",
    "text_ends": "i",
    "labels": "U",
    "label_text_ends": "i",
    "label_ends": "i",
    "vector_ends": "i",
    "features": "i",
    "weights": "f",
    "said": "U",
    "said_ends": "i",
    **{f"meaning_{name}": "f" for name in _MEANINGS},
    "words": "U",
    "word_text_ends": "i",
    "word_ends": "i",
    "word_ids": "i",
    "rows": "i",
    "classifier_words": "U",
    "classifier_word_ends": "i",
    "classifier_chars": "U",
    "classifier_char_ends": "i",
    "classifier_idf": "f",
    "classifier_coef": "f",
    "classifier_intercept": "f",
    "classifier_classes": "i",
}
"""The stored arrays, in order: the questions, their pair ids one after another (the first
example's end at ``label_ends[0]``), and their vectors' feature indices and weights likewise;
each question normalised; the vectors in meaning, row after row; the words of the embedded texts
and their token ids (ending at ``word_ends``); the table rows all those ids name; and the
examples' classifier (:mod:`chatbot.classifier`: its word and character terms in column order,
their IDF, its weights row after row, intercepts and classes; all empty when it has none).

Texts are stored joined into one string, with where each ends (``*_ends``): an array of texts is
padded to its longest, and the four of them took 6.5 MB (a start reads and checks every byte)."""


def example_key(paths: KnowledgeBasePaths, fingerprint: str, pairs: Sequence[Pair]) -> str:
    """What the stored vectors are made from: ``examples.yaml`` and ``synonyms.yaml`` as bytes, the
    index's fingerprint, each pair's passage (a label holds only while it is unchanged) and the formats."""
    digest = hashlib.sha256(f"{EXAMPLES_FORMAT}\0{STATE_FORMAT}\0{fingerprint}\0".encode())
    for path in (paths.examples, paths.synonyms):
        digest.update(path.read_bytes() if path.exists() else b"\0missing")
        digest.update(b"\0")
    digest.update("\0".join(f"{pair.id}={passage_digest(pair)}" for pair in pairs).encode())
    return digest.hexdigest()


def dump_example_vectors(examples: Examples, key: str, meanings: Meanings) -> bytes:
    """The bytes of an examples file holding ``examples`` (as vectorised) under ``key``, with the
    answerer's ``meanings`` made by the installed embedder (:meth:`Embedder.shared`)."""
    texts = [example.text for example in examples.examples]
    labels = [pair for example in examples.examples for pair in example.pairs]
    said = examples.normalised_texts()
    words = list(meanings.words.ids)
    ids = [token for word in words for token in meanings.words.ids[word]]
    rows = np.unique(np.asarray([*ids, meanings.words.mark], dtype=np.int64))
    arrays = {
        **_joined("texts", "text_ends", texts),
        **_joined("labels", "label_text_ends", labels),
        "label_ends": np.cumsum([len(e.pairs) for e in examples.examples], dtype=np.int64),
        "vector_ends": np.cumsum([len(f) for f, _ in examples.vectors_], dtype=np.int64),
        "features": np.concatenate([f for f, _ in examples.vectors_] or [np.zeros(0)]).astype(np.int64),
        "weights": np.concatenate([w for _, w in examples.vectors_] or [np.zeros(0)]).astype(np.float64),
        **_joined("said", "said_ends", said),
        **{f"meaning_{name}": np.asarray(meanings.vectors[name], dtype=np.float32).reshape(-1) for name in _MEANINGS},
        **_joined("words", "word_text_ends", words),
        "word_ends": np.cumsum([len(meanings.words.ids[word]) for word in words], dtype=np.int64),
        "word_ids": np.asarray(ids, dtype=np.int64),
        "rows": rows,
        **_classifier_arrays(examples.classifier_),
    }
    embedder = {
        "tokenizer": tokenizer_digest(),
        "rows": _rows_digest(rows),
        "specials": list(meanings.words.specials),
        "mark": meanings.words.mark,
    }
    classifier = examples.classifier_.fitted_on if examples.classifier_ is not None else None
    return dump_arrays(arrays, {"format": EXAMPLES_FORMAT, "key": key, "embedder": embedder, "classifier": classifier})


def _classifier_arrays(classifier: QuestionClassifier | None) -> dict[str, np.ndarray]:
    """The classifier as the arrays :func:`_classifier` reads back (empty ones for none)."""
    if classifier is None:
        words: dict[str, int] = {}
        chars: dict[str, int] = {}
        idf, coef, intercept = np.zeros(0), np.zeros(0, dtype=np.float32), np.zeros(0)
        classes = np.zeros(0, dtype=np.int64)
    else:
        words, chars = classifier.vocabularies
        idf, coef, intercept = classifier.idf, classifier.coef.reshape(-1), classifier.intercept
        classes = classifier.classes
    return {
        **_joined("classifier_words", "classifier_word_ends", sorted(words, key=words.__getitem__)),
        **_joined("classifier_chars", "classifier_char_ends", sorted(chars, key=chars.__getitem__)),
        "classifier_idf": idf,
        "classifier_coef": coef,
        "classifier_intercept": intercept,
        "classifier_classes": classes,
    }


def _classifier(arrays: dict[str, np.ndarray], fitted_on: object = None) -> QuestionClassifier | None:
    """The stored classifier, or ``None`` if the build had none (raises ``ValueError`` when the
    arrays do not fit); ``fitted_on`` is the key of its examples that the file records."""
    classes = arrays["classifier_classes"]
    if not len(classes):
        return None
    vocabularies = tuple(
        {term: column for column, term in enumerate(_split(arrays, name, ends))}
        for name, ends in (("classifier_words", "classifier_word_ends"), ("classifier_chars", "classifier_char_ends"))
    )
    coef = arrays["classifier_coef"]
    if len(coef) % len(classes):
        raise ValueError("classifier_coef is not one row per class")
    return QuestionClassifier(
        (vocabularies[0], vocabularies[1]),
        idf=arrays["classifier_idf"],
        coef=coef.reshape(len(classes), -1),
        intercept=arrays["classifier_intercept"],
        classes=classes,
        fitted_on=fitted_on if isinstance(fitted_on, str) else None,
    )


def _joined(name: str, ends: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """``texts`` as one string (an array of one) and where each ends in it."""
    return {
        name: np.asarray(["".join(texts)], dtype=str),
        ends: np.cumsum([len(text) for text in texts], dtype=np.int64),
    }


def _split(arrays: dict[str, np.ndarray], name: str, ends: str) -> list[str]:
    """The texts :func:`_joined` stored (raises ``ValueError`` when the lengths do not fit)."""
    joined, stops = arrays[name], arrays[ends].tolist()
    if len(joined) != 1 or (stops[-1] if stops else 0) != len(joined[0]):
        raise ValueError(f"{name} does not fit {ends}")
    return cut_at(str(joined[0]), stops)


def _rows_digest(rows: np.ndarray) -> str:
    """SHA-256 of the installed embedding table's rows at ``rows``: what stored vectors were summed from."""
    table = Embedder.shared().table
    if len(rows) and (rows[0] < 0 or rows[-1] >= len(table)):
        return "rows outside the table"
    return hashlib.sha256(np.ascontiguousarray(table[rows]).tobytes()).hexdigest()


class StoredExamples(NamedTuple):
    """What ``examples.npz`` holds for a build (:func:`read_stored_examples`)."""

    examples: Examples | None
    """The stored examples, if made from the files, index and pairs being loaded; else ``None``."""
    classifier: QuestionClassifier | None
    """The stored classifier, whatever else changed since (``None``: no usable file, or it held
    none), for the build to keep if its examples are the same
    (:meth:`chatbot.classifier.QuestionClassifier.fit` checks)."""


def read_example_vectors(
    paths: KnowledgeBasePaths, fingerprint: str, pairs: Sequence[Pair], *, otherwise: str | None = None
) -> Examples | None:
    """The stored examples, if the file exists and was made from the files, index (its
    ``fingerprint``) and ``pairs`` being loaded; else ``None``.

    A damaged file is logged (naming it) and ignored; ``otherwise`` says in the log what the
    caller does instead (by default, as a start does: read ``examples.yaml``, and ask for a build).
    """
    return _read(paths, fingerprint, pairs, otherwise=otherwise, classifier=False).examples


def read_stored_examples(
    paths: KnowledgeBasePaths, fingerprint: str, pairs: Sequence[Pair], *, otherwise: str
) -> StoredExamples:
    """:func:`read_example_vectors`, and the stored classifier even when the rest is out of date,
    from one reading of the file: a build that writes it again after a phrasing was added keeps
    the classifier instead of fitting the same examples for half a minute."""
    return _read(paths, fingerprint, pairs, otherwise=otherwise, classifier=True)


def _read(
    paths: KnowledgeBasePaths, fingerprint: str, pairs: Sequence[Pair], *, otherwise: str | None, classifier: bool
) -> StoredExamples:
    """Both readers' one reading; the classifier of an out-of-date file only if ``classifier``."""
    path = paths.example_vectors
    if not path.exists() or not paths.examples.exists():
        return StoredExamples(None, None)
    instead = otherwise or f"reading {paths.examples.name} instead"
    rebuild = otherwise or f"run `python -m chatbot build`; {instead}"
    try:
        meta, arrays = read_arrays(path, _KINDS, version=EXAMPLES_FORMAT, what="examples", rebuild=rebuild)
    except KnowledgeBaseError as error:
        _log.warning("%s", error)
        return StoredExamples(None, None)
    current = meta.get("key") == example_key(paths, fingerprint, pairs)
    if not current:
        _log.info("%s was made from other examples, synonyms or passages: %s", path, instead)
    try:
        if current:
            positions = {pair.id: i for i, pair in enumerate(pairs)}
            examples = _examples(arrays, positions, _meanings(path, meta, arrays), meta)
            return StoredExamples(examples, examples.classifier_)
        return StoredExamples(None, _classifier(arrays, meta.get("classifier")) if classifier else None)
    except (ValueError, KeyError, IndexError):
        _log.warning("%s: arrays do not fit together; %s", path, instead)
        return StoredExamples(None, None)


def _examples(
    arrays: dict[str, np.ndarray], positions: dict[str, int], meanings: Meanings | None, meta: dict[str, object]
) -> Examples:
    """The :class:`Examples` the arrays describe (raises ``ValueError`` or ``KeyError`` when they do not fit)."""
    texts, labels = _split(arrays, "texts", "text_ends"), _split(arrays, "labels", "label_text_ends")
    label_ends, vector_ends = arrays["label_ends"], arrays["vector_ends"]
    if not (len(label_ends) == len(vector_ends) == len(texts)) or (
        len(texts) and (label_ends[-1] != len(labels) or vector_ends[-1] != len(arrays["features"]))
    ):
        raise ValueError("lengths differ")
    if not texts:
        return Examples.from_vectors((), positions=positions, vectors=(), meanings=meanings, said=())
    examples: Sequence[Example] = [
        Example(text, tuple(part)) for text, part in zip(texts, cut_at(labels, label_ends), strict=True)
    ]
    vectors = list(zip(cut_at(arrays["features"], vector_ends), cut_at(arrays["weights"], vector_ends), strict=True))
    said = _split(arrays, "said", "said_ends")
    return Examples.from_vectors(
        examples,
        positions=positions,
        vectors=vectors,
        meanings=meanings,
        said=said,
        classifier=_classifier(arrays, meta.get("classifier")),
    )


def _meanings(path: object, meta: dict[str, object], arrays: dict[str, np.ndarray]) -> Meanings | None:
    """The stored vectors in meaning, if the installed tokenizer and table are the ones they were
    made with (else ``None``: the answerer embeds the texts itself). Raises ``ValueError`` when
    the arrays do not fit together."""
    vectors = {}
    for name in _MEANINGS:
        flat = arrays[f"meaning_{name}"]
        if len(flat) % DIMENSIONS:
            raise ValueError(f"meaning_{name} is not rows of {DIMENSIONS}")
        vectors[name] = flat.astype(np.float32, copy=False).reshape(-1, DIMENSIONS)
        vectors[name].flags.writeable = False  # shared by every session of the process: read, never written
    words, ends, ids, rows = (
        _split(arrays, "words", "word_text_ends"),
        arrays["word_ends"],
        arrays["word_ids"],
        arrays["rows"],
    )
    if len(ends) != len(words) or (len(words) and ends[-1] != len(ids)):
        raise ValueError("word lengths differ")
    embedder = meta.get("embedder")
    if not isinstance(embedder, dict):
        raise ValueError("no embedder recorded")
    if embedder.get("tokenizer") != tokenizer_digest() or embedder.get("rows") != _rows_digest(rows):
        _log.info("%s: made with another WordLlama tokenizer or table: the texts are embedded at load", path)
        return None
    specials, mark = embedder.get("specials"), embedder.get("mark")
    if not isinstance(specials, list) or not all(isinstance(t, str) for t in specials) or not isinstance(mark, int):
        raise ValueError("the tokenizer's specials or mark are missing")
    if len(ids) and not np.isin(ids, rows).all():
        raise ValueError("word ids outside the checked rows")
    known = {word: tuple(part) for word, part in zip(words, cut_at(ids.tolist(), ends), strict=True)}
    # Shared by every session of the process: read-only views, never written after load.
    return Meanings(MappingProxyType(vectors), WordTokens(MappingProxyType(known), tuple(specials), mark))

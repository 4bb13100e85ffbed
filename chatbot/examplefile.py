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
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import numpy as np

from .arrayfile import dump_arrays, read_arrays
from .errors import KnowledgeBaseError
from .examples import Example, Examples, passage_digest
from .index import STATE_FORMAT
from .pairs import Pair
from .paths import KnowledgeBasePaths

__all__ = ["EXAMPLES_FORMAT", "dump_example_vectors", "example_key", "read_example_vectors"]

_log = logging.getLogger(__name__)

EXAMPLES_FORMAT = 1
"""Version of this file's layout and of how an example is prepared and vectorised; part of the key."""

_KINDS = {"texts": "U", "labels": "U", "label_ends": "i", "vector_ends": "i", "features": "i", "weights": "f"}
"""The stored arrays, in order: the questions, their pair ids one after another (the first
example's end at ``label_ends[0]``), and their vectors' feature indices and weights likewise."""


def example_key(paths: KnowledgeBasePaths, fingerprint: str, pairs: Sequence[Pair]) -> str:
    """What the stored vectors are made from: ``examples.yaml`` and ``synonyms.yaml`` as bytes, the
    index's fingerprint, each pair's passage (a label holds only while it is unchanged) and the formats."""
    digest = hashlib.sha256(f"{EXAMPLES_FORMAT}\0{STATE_FORMAT}\0{fingerprint}\0".encode())
    for path in (paths.examples, paths.synonyms):
        digest.update(path.read_bytes() if path.exists() else b"\0missing")
        digest.update(b"\0")
    digest.update("\0".join(f"{pair.id}={passage_digest(pair)}" for pair in pairs).encode())
    return digest.hexdigest()


def dump_example_vectors(examples: Examples, key: str) -> bytes:
    """The bytes of an examples file holding ``examples`` (as vectorised) under ``key``."""
    texts = [example.text for example in examples.examples]
    labels = [pair for example in examples.examples for pair in example.pairs]
    arrays = {
        "texts": np.asarray(texts, dtype=str) if texts else np.zeros(0, dtype="U1"),
        "labels": np.asarray(labels, dtype=str) if labels else np.zeros(0, dtype="U1"),
        "label_ends": np.cumsum([len(e.pairs) for e in examples.examples], dtype=np.int64),
        "vector_ends": np.cumsum([len(f) for f, _ in examples.vectors_], dtype=np.int64),
        "features": np.concatenate([f for f, _ in examples.vectors_] or [np.zeros(0)]).astype(np.int64),
        "weights": np.concatenate([w for _, w in examples.vectors_] or [np.zeros(0)]).astype(np.float64),
    }
    return dump_arrays(arrays, {"format": EXAMPLES_FORMAT, "key": key})


def read_example_vectors(paths: KnowledgeBasePaths, fingerprint: str, pairs: Sequence[Pair]) -> Examples | None:
    """The stored examples, if the file exists and was made from the files, index (its
    ``fingerprint``) and ``pairs`` being loaded; else ``None``.

    A damaged file is logged (naming it) and ignored: ``examples.yaml`` is read instead.
    """
    path = paths.example_vectors
    if not path.exists() or not paths.examples.exists():
        return None
    try:
        meta, arrays = read_arrays(
            path, _KINDS, version=EXAMPLES_FORMAT, what="examples", rebuild="run `python -m chatbot build`"
        )
    except KnowledgeBaseError as error:
        _log.warning("%s; reading %s instead", error, paths.examples.name)
        return None
    if meta.get("key") != example_key(paths, fingerprint, pairs):
        _log.info("%s was made from other examples, synonyms or passages: reading %s", path, paths.examples.name)
        return None
    try:
        return _examples(arrays, {pair.id: i for i, pair in enumerate(pairs)})
    except (ValueError, KeyError, IndexError):
        _log.warning("%s: arrays do not fit together; reading %s instead", path, paths.examples.name)
        return None


def _examples(arrays: dict[str, np.ndarray], positions: dict[str, int]) -> Examples:
    """The :class:`Examples` the arrays describe (raises ``ValueError`` or ``KeyError`` when they do not fit)."""
    texts, labels = arrays["texts"].tolist(), arrays["labels"].tolist()
    label_ends, vector_ends = arrays["label_ends"], arrays["vector_ends"]
    if not (len(label_ends) == len(vector_ends) == len(texts)) or (
        len(texts) and (label_ends[-1] != len(labels) or vector_ends[-1] != len(arrays["features"]))
    ):
        raise ValueError("lengths differ")
    if not texts:
        return Examples.from_vectors((), positions=positions, vectors=())
    label_parts = np.split(np.asarray(labels, dtype=object), label_ends[:-1])
    examples: Sequence[Example] = [
        Example(text, tuple(part.tolist())) for text, part in zip(texts, label_parts, strict=True)
    ]
    vectors = list(
        zip(np.split(arrays["features"], vector_ends[:-1]), np.split(arrays["weights"], vector_ends[:-1]), strict=True)
    )
    return Examples.from_vectors(examples, positions=positions, vectors=vectors)

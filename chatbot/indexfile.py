"""``index.npz``: the index state the build learns, stored next to ``pairs.yaml`` so answering needs no scikit-learn.

Learning the TF-IDF vocabulary and weights takes scikit-learn, which alone takes seconds to
import; a command-line question or a server start should not pay that. The build fits the index
once and writes what it learned here; :meth:`chatbot.bot.Chatbot.load` reads it back and
:meth:`chatbot.index.Index.restore` checks that it was learned from exactly the texts being loaded.

The file is a zip of plain NumPy arrays (:mod:`chatbot.arrayfile`): nothing in it can run code, a
build that changes nothing rewrites no byte, and its ``meta`` member records the layout's version
and a SHA-256 of every array, so a file that is missing, cut short, corrupted or edited is refused
with one line naming it, never half-used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .arrayfile import dump_arrays, read_arrays, write_if_changed
from .index import STATE_FORMAT, IndexState

__all__ = ["dump_index", "read_index", "write_index"]

_KINDS = {
    "word_terms": "U",
    "word_idf": "f",
    "char_terms": "U",
    "char_idf": "f",
    "indptr": "i",
    "indices": "i",
    "data": "f",
}
"""The array fields of :class:`IndexState`, in the order they are stored and digested, with their
NumPy kind: text, floating point or integer."""

_REBUILD = "run `python -m chatbot build` to write it again"


def dump_index(state: IndexState) -> bytes:
    """The bytes of an index file holding ``state``: the same state always gives the same bytes."""
    arrays: dict[str, np.ndarray] = {name: getattr(state, name) for name in _KINDS}
    return dump_arrays(arrays, {"format": STATE_FORMAT, "fingerprint": state.fingerprint})


def write_index(path: Path, state: IndexState) -> bool:
    """Write ``state`` to ``path`` by a rename, unless the file already holds it; returns whether it changed."""
    return write_if_changed(path, dump_index(state))


def read_index(path: str | Path) -> IndexState:
    """The index state stored in ``path``, once its content matches the digest the build wrote into it.

    Raises :class:`KnowledgeBaseError` naming the file when it is missing, unreadable, not an
    index file, of another format version, or its arrays differ from their digest in any byte.
    Whether the state fits the pairs being loaded is :meth:`~chatbot.index.Index.restore`'s check.
    """
    meta, arrays = read_arrays(path, _KINDS, version=STATE_FORMAT, what="index", rebuild=_REBUILD)
    return IndexState(fingerprint=str(meta.get("fingerprint", "")), **arrays)

"""``index.npz``: the index state the build learns, stored next to ``pairs.yaml`` so answering needs no scikit-learn.

Learning the TF-IDF vocabulary and weights takes scikit-learn, which alone takes seconds to
import; a command-line question or a server start should not pay that. The build fits the index
once and writes what it learned here; :meth:`chatbot.bot.Chatbot.load` reads it back and
:meth:`chatbot.index.Index.restore` checks that it was learned from exactly the texts being loaded.

The file is a zip of plain NumPy arrays, read with ``allow_pickle=False`` (nothing in it can run
code), and written deterministically (fixed member order, dates and compression), so a build that
changes nothing rewrites no byte. Its ``meta`` member records the layout's version and a SHA-256
of every array: a file that is missing, cut short, corrupted or edited is refused with one line
naming it, never half-used.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from .errors import KnowledgeBaseError
from .index import STATE_FORMAT, IndexState
from .pairs import atomic_write

__all__ = ["dump_index", "read_index", "write_index"]

_ARRAYS = ("word_terms", "word_idf", "char_terms", "char_idf", "indptr", "indices", "data")
"""The array fields of :class:`IndexState`, in the order they are stored and digested."""

_KINDS = dict(zip(_ARRAYS, ("U", "f", "U", "f", "i", "i", "f"), strict=True))
"""The NumPy kind of each array: text, floating point or integer."""
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_REBUILD = "run `python -m chatbot build` to write it again"


def _digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of every array's name, type, shape and bytes."""
    digest = hashlib.sha256()
    for name in _ARRAYS:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def dump_index(state: IndexState) -> bytes:
    """The bytes of an index file holding ``state``: the same state always gives the same bytes."""
    arrays = {name: np.ascontiguousarray(getattr(state, name)) for name in _ARRAYS}
    meta = {"format": STATE_FORMAT, "fingerprint": state.fingerprint, "content": _digest(arrays)}
    members = {"meta": np.array(json.dumps(meta, sort_keys=True)), **arrays}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return buffer.getvalue()


def write_index(path: Path, state: IndexState) -> bool:
    """Write ``state`` to ``path`` by a rename, unless the file already holds it; returns whether it changed."""
    data = dump_index(state)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def read_index(path: str | Path) -> IndexState:
    """The index state stored in ``path``, once its content matches the digest the build wrote into it.

    Raises :class:`KnowledgeBaseError` naming the file when it is missing, unreadable, not an
    index file, of another format version, or its arrays differ from their digest in any byte.
    Whether the state fits the pairs being loaded is :meth:`~chatbot.index.Index.restore`'s check.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeBaseError(path, None, f"file not found; {_REBUILD}") from None
    except OSError as exc:
        raise KnowledgeBaseError(path, None, f"cannot read file ({exc.strerror or exc})") from None
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"][()]))
            arrays = {name: stored[name] for name in _ARRAYS}
    except (zipfile.BadZipFile, ValueError, KeyError, EOFError, OSError, TypeError, IndexError) as exc:
        raise KnowledgeBaseError(
            path, None, f"not a readable index file ({type(exc).__name__}): cut short or damaged; {_REBUILD}"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != STATE_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise KnowledgeBaseError(path, None, f"index format {found!r}, this version reads {STATE_FORMAT}; {_REBUILD}")
    if meta.get("content") != _digest(arrays):
        raise KnowledgeBaseError(
            path, None, f"content does not match its digest: the file is damaged or was edited; {_REBUILD}"
        )
    for name, kind in _KINDS.items():
        if arrays[name].ndim != 1 or arrays[name].dtype.kind != kind:
            raise KnowledgeBaseError(path, None, f"array {name!r} has the wrong type or shape; {_REBUILD}")
    return IndexState(fingerprint=str(meta.get("fingerprint", "")), **arrays)

"""Files of plain NumPy arrays that the build writes and answering reads: safe, reproducible, checked.

A learned state (the index's vocabulary and vectors, the examples' vectors) is stored so that
answering needs neither scikit-learn nor the work of learning it again. Such a file is a zip of
NumPy arrays read with ``allow_pickle=False`` (nothing in it can run code) and written
deterministically (fixed member order and dates), so a build that changes nothing rewrites no byte.
The members are stored uncompressed: inflating the three shipped files took about 35 ms of every
start, a command-line question included, and git compresses what it stores anyway. A file's
``meta`` member is a JSON object holding the layout's ``format`` and a SHA-256 of every array (``content``),
plus what the caller records (what the state was learned from): a file that is cut short, corrupted
or edited is refused with one line naming it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .errors import KnowledgeBaseError
from .pairs import atomic_write

__all__ = ["cut_at", "dump_arrays", "read_arrays", "write_if_changed"]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

Flat = TypeVar("Flat", str, list[Any], np.ndarray)


def cut_at(flat: Flat, ends: Sequence[int] | np.ndarray) -> list[Flat]:
    """``flat`` cut into consecutive parts, the i-th ending at ``ends[i]``: how variable-length
    items (texts, label lists, vectors) are stored one after another with where each ends.
    Slices, not ``np.split``, which cost about 10 µs a part."""
    stops = ends.tolist() if isinstance(ends, np.ndarray) else list(ends)
    return [flat[start:stop] for start, stop in zip([0, *stops][:-1], stops, strict=True)]


def _digest(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 of every array's name, type, shape and bytes, in the given order."""
    digest = hashlib.sha256()
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        digest.update(f"{name}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def dump_arrays(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> bytes:
    """The bytes of a file holding ``arrays`` (in this order) and ``meta`` with their ``content`` digest added."""
    contiguous = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    recorded = {**meta, "content": _digest(contiguous)}
    members = {"meta": np.array(json.dumps(recorded, sort_keys=True)), **contiguous}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return buffer.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` by a rename, unless the file already holds it; returns whether it changed."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def read_arrays(
    path: str | Path, kinds: Mapping[str, str], *, version: int, what: str, rebuild: str
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(meta, arrays) of the file at ``path``, once its arrays match the digest written into it.

    ``kinds`` names the arrays, in their stored order, with the NumPy kind each must have ("U"
    text, "f" floating point, "i" integer); each is one-dimensional. Raises
    :class:`KnowledgeBaseError` naming the file, ending with ``rebuild`` (how to write it again),
    when it is missing, unreadable, not such a file, of another ``version`` (its meta's
    ``format``), or differs from its digest in any byte.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeBaseError(path, None, f"file not found; {rebuild}") from None
    except OSError as exc:
        raise KnowledgeBaseError(path, None, f"cannot read file ({exc.strerror or exc})") from None
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"][()]))
            arrays = {name: stored[name] for name in kinds}
    except (zipfile.BadZipFile, ValueError, KeyError, EOFError, OSError, TypeError, IndexError) as exc:
        raise KnowledgeBaseError(
            path, None, f"not a readable {what} file ({type(exc).__name__}): cut short or damaged; {rebuild}"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != version:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise KnowledgeBaseError(path, None, f"{what} format {found!r}, this version reads {version}; {rebuild}")
    if meta.get("content") != _digest(arrays):
        raise KnowledgeBaseError(
            path, None, f"content does not match its digest: the file is damaged or was edited; {rebuild}"
        )
    for name, kind in kinds.items():
        if arrays[name].ndim != 1 or arrays[name].dtype.kind != kind:
            raise KnowledgeBaseError(path, None, f"array {name!r} has the wrong type or shape; {rebuild}")
    return meta, arrays

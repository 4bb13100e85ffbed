"""A digest of ``pairs.yaml``'s own content, written by the build and checked on every load.

The file is written by a rename, so the build never leaves half a file behind; but a copy, a sync
tool, a full disk or a hand edit can. A pairs file cut at a pair boundary is still valid YAML
and would load silently with half the answers, so the build records a SHA-256 of everything
below the digest line, and :func:`verify` refuses a file whose content no longer matches it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import KnowledgeBaseError

__all__ = ["DIGEST_PREFIX", "seal", "verify"]

DIGEST_PREFIX = "# Content digest: "
_DIGEST_LINE = re.compile(rb"^# Content digest: sha256 ([0-9a-f]{64}), (\d+) pairs\r?\n", re.MULTILINE)
_REBUILD = "run `python -m chatbot build` to write it again"


def _digest(body: bytes) -> str:
    """SHA-256 of the content below the digest line; line endings do not count (a CRLF checkout still matches)."""
    return hashlib.sha256(body.replace(b"\r\n", b"\n")).hexdigest()


def seal(body: str, *, pairs: int) -> str:
    """The digest line for ``body``, the text that follows it in the file."""
    return f"{DIGEST_PREFIX}sha256 {_digest(body.encode('utf-8'))}, {pairs} pairs\n"


def verify(data: bytes, path: Path) -> tuple[bytes, int]:
    """Check ``data`` (the whole file) against its digest line; returns the body and the recorded pair count.

    Raises :class:`KnowledgeBaseError` naming the file when the digest line is missing or the
    content below it differs in any byte: truncated, half-written or edited by hand.
    """
    header_end = 0
    for line in data.splitlines(keepends=True):
        if not line.startswith(b"#"):
            break
        header_end += len(line)
    found = _DIGEST_LINE.search(data, 0, header_end)
    if found is None:
        raise KnowledgeBaseError(
            path, 1, f"no content digest line (not written by the build, or cut short); {_REBUILD}"
        )
    body = data[found.end() :]
    if _digest(body) != found.group(1).decode():
        raise KnowledgeBaseError(
            path,
            None,
            f"content does not match its digest ({int(found.group(2))} pairs recorded): the file is truncated, "
            f"half-written or was edited by hand; {_REBUILD}",
        )
    return body, int(found.group(2))

"""Whether ``pairs.yaml`` was built from the current documents: a check the bot runs on every load.

The build records a digest of what it read (every document and ``curated.yaml``) in the pairs
file's header; loading compares it with the files on disk, so a clinic that dropped in a new
document and forgot the build hears so. This module is the answering side of that contract and
imports nothing of the build: reading documents (PDF, Word, web pages) is build-time work.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .pairs import HEADER
from .paths import KnowledgeBasePaths

__all__ = ["DOCUMENT_SUFFIXES", "SOURCE_DIGEST_PREFIX", "document_files", "is_stale", "source_digest"]

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")
"""The file suffixes the build reads as documents (:mod:`chatbot.readers` has a reader for each non-text one)."""

SOURCE_DIGEST_PREFIX = "# Source digest: "
"""A header line of the pairs file: what it was built from, so a forgotten build can be noticed."""


def document_files(folder: Path) -> list[str]:
    """The names of the documents in ``folder`` that the build reads, sorted."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)


def source_digest(paths: KnowledgeBasePaths) -> str:
    """A SHA-256 of what a build reads that staff edit: every document (name and bytes) and curated.yaml."""
    digest = hashlib.sha256()
    files = sorted(p for p in paths.documents.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
    if paths.curated.is_file():
        files.append(paths.curated)
    for file in files:
        digest.update(file.name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def is_stale(paths: KnowledgeBasePaths) -> bool:
    """Whether the documents or curated.yaml changed since ``pairs.yaml`` was built from them.

    A new document dropped into ``faq/documents/`` is not answerable until the build runs; a clinic
    that forgot the build should hear so rather than wonder why the bot ignores it. Never raises:
    a folder it cannot read is not stale, the build itself will report it.
    """
    try:
        with paths.pairs.open(encoding="utf-8") as handle:
            header = [next(handle, "") for _ in range(HEADER.count("\n") + 1)]
        recorded = next(
            (line[len(SOURCE_DIGEST_PREFIX) :].strip() for line in header if line.startswith(SOURCE_DIGEST_PREFIX)),
            None,
        )
        return recorded != source_digest(paths)
    except OSError:
        return False

"""``python -m chatbot build``: documents + curated edits → ``faq/pairs.yaml``, all or nothing.

Every staff-editable file is read and validated before anything is written, and the pairs file is
replaced by a rename, so a mistake anywhere leaves the previous knowledge base in place and the
message names the file, the line and the reason.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .approval import read_approvals
from .curated import read_curated
from .documents import DOCUMENT_SUFFIXES, Document, read_documents
from .errors import KnowledgeBaseError
from .extract import extract_pairs, procedure_name
from .normalize import normalize
from .pairs import HEADER, Pair, atomic_write, dump_pairs
from .paths import KnowledgeBasePaths, read_support

__all__ = ["BuildResult", "build", "build_pairs", "document_files", "is_stale", "same_procedures", "source_digest"]

_ALSO_KNOWN = re.compile(r"\balso (?:known as|called|referred to as) ([^.;:()]{3,120})", re.IGNORECASE)
_ALIAS_SPLIT = re.compile(r",|\bor\b|\band\b|\bis\b")

_DIGEST_LINE = "# Source digest: "
"""A header line of the pairs file: what it was built from, so a forgotten build can be noticed."""


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where it wrote, how many documents and pairs, and whether the file changed."""

    path: Path
    documents: int
    pairs: int
    changed: bool
    warnings: tuple[str, ...] = ()


def build_pairs(paths: KnowledgeBasePaths) -> tuple[list[Pair], int]:
    """All pairs of the knowledge base (generated, then curated), and the number of documents."""
    documents = read_documents(paths.documents)
    curated = read_curated(paths.curated)
    files = {doc.file for doc in documents}
    for name, settings in curated.documents.items():
        if name not in files:
            raise KnowledgeBaseError(paths.curated, settings.line, f"document {name!r} is not in {paths.documents}")
    names = {
        doc.file: (curated.documents[doc.file].procedure if doc.file in curated.documents else None)
        or procedure_name(doc)
        for doc in documents
    }
    names = same_procedures(documents, names)
    generated: list[Pair] = []
    seen: dict[str, str] = {}
    for doc in documents:
        settings = curated.documents.get(doc.file)
        for pair in extract_pairs(doc, procedure=names[doc.file], tags=settings.tags if settings else ()):
            if pair.id in seen:
                raise KnowledgeBaseError(
                    paths.documents / doc.file,
                    None,
                    f"pair id {pair.id!r} clashes with {seen[pair.id]}: rename one document",
                )
            seen[pair.id] = doc.file
            generated.append(pair)
    return curated.apply(generated), len(documents)


def same_procedures(documents: list[Document], names: dict[str, str]) -> dict[str, str]:
    """One name for a procedure that documents call differently, when a document says they are one.

    "Cervical neurotomy, also known as cervical radiofrequency ablation or cervical rhizotomy, …"
    makes the cervical neurotomy document's procedure the cervical rhizotomy of the other
    documents: a patient asking about either reads all three. Names no other document uses stay.
    """
    used = {normalize(name) for name in names.values()}
    out = dict(names)
    for doc in documents:
        own = normalize(names[doc.file])
        text = " ".join(line for block in doc.blocks for line in block.lines)
        for found in _ALSO_KNOWN.finditer(text):
            if own not in normalize(text[max(0, found.start() - 80) : found.start()]):
                continue
            for alias in _ALIAS_SPLIT.split(found.group(1)):
                alias = normalize(alias)
                if alias in used and alias != own:
                    out[doc.file] = next(name for name in names.values() if normalize(name) == alias)
                    break
    return out


def build(paths: KnowledgeBasePaths) -> BuildResult:
    """Rebuild the pairs file from the documents; validate every other knowledge-base file too."""
    read_support(paths, require_clinic=False)
    approvals = read_approvals(paths.approvals)
    pairs, documents = build_pairs(paths)
    files = document_files(paths.documents)
    approvals.check_documents(files)
    warnings = tuple(
        f"{paths.documents / name}: not approved (add who approved it and a review-by date to {paths.approvals})"
        for name in approvals.unapproved(files)
    )
    text = dump_pairs(pairs, header=f"{HEADER}{_DIGEST_LINE}{source_digest(paths)}\n")
    previous = paths.pairs.read_text(encoding="utf-8") if paths.pairs.exists() else None
    if previous != text:
        atomic_write(paths.pairs, text)
    return BuildResult(paths.pairs, documents, len(pairs), previous != text, warnings)


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
        recorded = next((line[len(_DIGEST_LINE) :].strip() for line in header if line.startswith(_DIGEST_LINE)), None)
        return recorded != source_digest(paths)
    except OSError:
        return False

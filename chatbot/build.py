"""``python -m chatbot build``: documents + curated edits → ``faq/pairs.yaml``, all or nothing.

Every staff-editable file is read and validated before anything is written, and the pairs file is
replaced by a rename, so a mistake anywhere leaves the previous knowledge base in place and the
message names the file, the line and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .curated import read_curated
from .documents import read_documents
from .errors import KnowledgeBaseError
from .extract import extract_pairs
from .pairs import Pair, atomic_write, dump_pairs
from .paths import KnowledgeBasePaths, read_support

__all__ = ["BuildResult", "build", "build_pairs"]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where it wrote, how many documents and pairs, and whether the file changed."""

    path: Path
    documents: int
    pairs: int
    changed: bool


def build_pairs(paths: KnowledgeBasePaths) -> tuple[list[Pair], int]:
    """All pairs of the knowledge base (generated, then curated), and the number of documents."""
    documents = read_documents(paths.documents)
    curated = read_curated(paths.curated)
    files = {doc.file for doc in documents}
    for name, settings in curated.documents.items():
        if name not in files:
            raise KnowledgeBaseError(paths.curated, settings.line, f"document {name!r} is not in {paths.documents}")
    generated: list[Pair] = []
    seen: dict[str, str] = {}
    for doc in documents:
        settings = curated.documents.get(doc.file)
        for pair in extract_pairs(
            doc, procedure=settings.procedure if settings else None, tags=settings.tags if settings else ()
        ):
            if pair.id in seen:
                raise KnowledgeBaseError(
                    paths.documents / doc.file,
                    None,
                    f"pair id {pair.id!r} clashes with {seen[pair.id]}: rename one document",
                )
            seen[pair.id] = doc.file
            generated.append(pair)
    return curated.apply(generated), len(documents)


def build(paths: KnowledgeBasePaths) -> BuildResult:
    """Rebuild the pairs file from the documents; validate every other knowledge-base file too."""
    read_support(paths)
    pairs, documents = build_pairs(paths)
    text = dump_pairs(pairs)
    previous = paths.pairs.read_text(encoding="utf-8") if paths.pairs.exists() else None
    if previous != text:
        atomic_write(paths.pairs, text)
    return BuildResult(paths.pairs, documents, len(pairs), previous != text)

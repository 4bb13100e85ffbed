"""``python -m chatbot build``: documents + curated edits → ``faq/pairs.yaml``, all or nothing.

Every staff-editable file is read and validated before anything is written, and the pairs file is
replaced by a rename, so a mistake anywhere leaves the previous knowledge base in place and the
message names the file, the line and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .answerer import example_index, meaning_texts
from .approval import read_approvals
from .arrayfile import write_if_changed
from .curated import read_curated
from .documents import Document, read_documents
from .embedding import Embedder, Meanings
from .errors import KnowledgeBaseError
from .examplefile import dump_example_vectors, example_key, read_stored_examples
from .examples import read_examples
from .extract import extract_pairs, procedure_name
from .index import Index
from .indexfile import read_index, write_index
from .normalize import normalize
from .pairs import HEADER, Pair, atomic_write, dump_pairs
from .paths import KnowledgeBasePaths, read_support
from .staleness import SOURCE_DIGEST_PREFIX, document_files, source_digest
from .synonyms import Synonyms

__all__ = ["BuildResult", "build", "build_example_vectors", "build_index", "build_pairs", "same_procedures"]

_ALSO_KNOWN = re.compile(r"\balso (?:known as|called|referred to as) ([^.;:()]{3,120})", re.IGNORECASE)
_ALIAS_SPLIT = re.compile(r",|\bor\b|\band\b|\bis\b")


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where it wrote, how many documents and pairs, and whether it changed the
    pairs, the index or the stored examples."""

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
    return curated.apply(distinct_questions(generated)), len(documents)


def distinct_questions(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs, each asked by a question no earlier pair has.

    A document gives each of its passages its own questions, but two documents about one
    procedure can give theirs the same ones: the cervical neurotomy and the neck-procedure
    leaflets, both about cervical rhizotomy, each have "What is recovery like after cervical
    rhizotomy?". A question asked word for word is its first pair's, so the second passage could
    never be reached by it (nor told apart from the first when both are offered to tap). A later
    pair whose question is taken is asked with its document's title added; its phrasings that are
    taken stay with the pair that had them first, as a document's own do.
    """
    used: set[str] = set()
    out = []
    for pair in pairs:
        question = pair.question
        if normalize(question) in used:
            question = f"{question.rstrip('?').rstrip()} ({pair.source.title})?"
        variants = tuple(v for v in pair.variants if normalize(v) not in used and normalize(v) != normalize(question))
        if (question, variants) != (pair.question, pair.variants):
            pair = replace(pair, question=question, variants=variants)
        used.update(normalize(text) for text in (pair.question, *pair.variants))
        out.append(pair)
    return out


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
    """Rebuild the pairs file and the index state from the documents; validate every other knowledge-base file too.

    The index is fitted here (with scikit-learn) and stored in ``index.npz`` for the bot to
    restore, and the labelled examples are stored vectorised in ``examples.npz``; both are written
    before the pairs file, and all only once everything else succeeded.
    """
    support = read_support(paths, require_clinic=False)
    approvals = read_approvals(paths.approvals)
    pairs, documents = build_pairs(paths)
    files = document_files(paths.documents)
    approvals.check_documents(files)
    warnings = tuple(
        f"{paths.documents / name}: not approved (add who approved it and a review-by date to {paths.approvals})"
        for name in approvals.unapproved(files)
    )
    text = dump_pairs(pairs, header=f"{HEADER}{SOURCE_DIGEST_PREFIX}{source_digest(paths)}\n")
    index_changed = build_index(paths, pairs, synonyms=support.synonyms)
    examples_changed = build_example_vectors(paths, pairs, synonyms=support.synonyms)
    previous = paths.pairs.read_text(encoding="utf-8") if paths.pairs.exists() else None
    if previous != text:
        atomic_write(paths.pairs, text)
    changed = previous != text or index_changed or examples_changed
    return BuildResult(paths.pairs, documents, len(pairs), changed, warnings)


def build_index(paths: KnowledgeBasePaths, pairs: Sequence[Pair], *, synonyms: Synonyms | None = None) -> bool:
    """Fit the index of ``pairs`` and store its state in ``index.npz``; returns whether the file changed.

    ``synonyms`` default to the knowledge base's ``synonyms.yaml``: the index is learned from the
    synonym-expanded texts, so the bot restores it only together with the same synonyms.
    """
    if synonyms is None:
        synonyms = Synonyms.from_file(paths.synonyms)
    return write_index(paths.index, Index(synonyms=synonyms).fit(pairs).state_)


def build_example_vectors(paths: KnowledgeBasePaths, pairs: Sequence[Pair], *, synonyms: Synonyms) -> bool:
    """Store ``examples.yaml`` read and vectorised in ``examples.npz`` (:mod:`chatbot.examplefile`),
    keyed by what it was made from; returns whether the file changed.

    Run after ``index.npz`` is written for ``pairs`` and ``synonyms``: the vectors are in its
    space. The answerer's texts are embedded here too, with the installed WordLlama files, and
    stored with the ids of their words (see :mod:`chatbot.examplefile`), and the examples'
    classifier (:mod:`chatbot.classifier`) is fitted, or kept from the stored file when its
    examples did not change. Nothing is redone while the stored file was made from these very
    files. Without an examples file there is nothing to store, and a stored one is removed.
    """
    if not paths.examples.exists():
        existed = paths.example_vectors.exists()
        paths.example_vectors.unlink(missing_ok=True)
        return existed
    index = Index(synonyms=synonyms).restore(pairs, read_index(paths.index))
    stored = read_stored_examples(paths, index.state_.fingerprint, pairs, otherwise="writing it again")
    if stored.examples is not None and stored.examples.meanings_ is not None:
        return False
    vectors = example_index(read_examples(paths.examples, pairs), index, synonyms, reuse=stored.classifier)
    key = example_key(paths, index.state_.fingerprint, pairs)
    embedder = Embedder.shared()
    _, texts = meaning_texts(pairs, index, vectors.examples)
    meanings = Meanings(
        {name: embedder.embed(found) for name, found in texts.items()},
        embedder.word_tokens([text for found in texts.values() for text in found]),
    )
    return write_if_changed(paths.example_vectors, dump_example_vectors(vectors, key, meanings))

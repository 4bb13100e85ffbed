"""Lay terms and synonyms: "neck" finds "cervical", "burn the nerve" finds "radiofrequency ablation".

Expansion is applied the same way to the indexed texts and to each question, so a lay word in a
question meets the clinical word in a document and vice versa. The table is a staff-editable
YAML file (``faq/synonyms.yaml``); every term is normalised with the shared normaliser.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path

from .errors import KnowledgeBaseError
from .normalize import normalize
from .yamlfile import LocatedDict, read_yaml, str_list

__all__ = ["Synonyms"]


class Synonyms:
    """Expands normalised text with the canonical terms of the lay words it contains.

    Parameters
    ----------
    table:
        canonical term → the lay terms and synonyms that mean it.
    """

    def __init__(self, table: dict[str, tuple[str, ...]] | None = None) -> None:
        self.table = dict(table or {})
        lay_to_canonical: dict[str, list[str]] = {}
        for canonical, terms in self.table.items():
            for term in terms:
                lay_to_canonical.setdefault(normalize(term), []).append(normalize(canonical))
        self._lay_to_canonical = lay_to_canonical
        alternatives = sorted(lay_to_canonical, key=lambda t: (-len(t), t))
        self._pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, alternatives)) + r")\b") if alternatives else None

    @classmethod
    def from_file(cls, path: str | Path) -> Synonyms:
        """Read the table; a missing file means no synonyms, a malformed one is an error with its line."""
        path = Path(path)
        data = read_yaml(path, missing_ok=True)
        if data is None:
            return cls()
        if not isinstance(data, LocatedDict):
            raise KnowledgeBaseError(path, 1, "synonyms must be a mapping of 'term: [lay words]' lines")
        table: dict[str, tuple[str, ...]] = {}
        for canonical in data:
            terms = str_list(data, canonical, path, what=f"synonyms of {canonical!r}")
            if not terms:
                raise KnowledgeBaseError(path, data.line_of(canonical), f"{canonical!r} has no synonyms")
            if not normalize(canonical) or not all(normalize(t) for t in terms):
                raise KnowledgeBaseError(
                    path, data.line_of(canonical), f"{canonical!r} has a term with no letters or digits"
                )
            table[canonical] = terms
        return cls(table)

    def terms_leading_to(self, words: Collection[str]) -> frozenset[str]:
        """The one-word terms, on either side, of the entries one of whose terms the documents use
        (all its words are in ``words``, the documents' words): words a question can use for
        something the documents say (for typo correction and coverage).

        Words of multi-word phrases are left out: "sleep" is known only inside "put to sleep", and
        a question about sleeping on one's back must not count it as a word the documents know.
        An entry the documents use none of is left out too: a clinic's copy of another clinic's
        synonyms file knows "cervical rhizotomy", and a knowledge base whose documents describe
        only a knee block must still count those words as unknown ("What is a cervical
        rhizotomy?" asks about something its documents never mention).
        """
        found: set[str] = set()
        for canonical, terms in self.table.items():
            entry = [normalize(term) for term in (canonical, *terms)]
            if any(all(word in words for word in term.split()) for term in entry):
                found.update(term for term in entry if len(term.split()) == 1)
        return frozenset(found)

    def matches(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """The lay terms found in ``text`` (already normalised), each with its canonical terms."""
        if self._pattern is None:
            return []
        return [(m.group(0), tuple(self._lay_to_canonical[m.group(0)])) for m in self._pattern.finditer(text)]

    def expand(self, text: str, *, found: Sequence[tuple[str, tuple[str, ...]]] | None = None) -> str:
        """``text`` (already normalised) followed by the canonical terms of any lay terms found in it.

        ``found``: what :meth:`matches` returned for ``text``, when the caller already has it.
        """
        lay = self.matches(text) if found is None else found
        extra = list(dict.fromkeys(c for _, canonicals in lay for c in canonicals))
        return f"{text} {' '.join(extra)}" if extra else text

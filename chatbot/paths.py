"""Where the files of a knowledge base live, so the build, the bot and the CLI agree on one layout.

A knowledge base is one folder (``faq/`` by default) holding ``documents/``, the built
``pairs.yaml`` and ``index.npz``, the labelled patient questions ``examples.yaml`` (written by
``train``) and their vectors ``examples.npz`` (written by ``build`` and ``train``), and the
staff-editable ``curated.yaml``, ``synonyms.yaml``, ``clinic.yaml``, ``safety.yaml`` and
``smalltalk.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .safety import SafetyRules
from .settings import ClinicSettings
from .smalltalk import SmallTalk
from .synonyms import Synonyms

__all__ = ["DEFAULT_FAQ", "KnowledgeBasePaths", "Support", "read_support"]

DEFAULT_FAQ = Path(__file__).resolve().parent.parent / "faq"


@dataclass(frozen=True)
class KnowledgeBasePaths:
    """The files of one knowledge-base folder; ``documents`` may point elsewhere (``build --documents``)."""

    root: Path
    documents: Path

    @classmethod
    def at(cls, root: str | Path | None = None, *, documents: str | Path | None = None) -> KnowledgeBasePaths:
        root = Path(root) if root is not None else DEFAULT_FAQ
        return cls(root, Path(documents) if documents is not None else root / "documents")

    @property
    def pairs(self) -> Path:
        return self.root / "pairs.yaml"

    @property
    def index(self) -> Path:
        """The index state the build learned from the pairs (:mod:`chatbot.indexfile`)."""
        return self.root / "index.npz"

    @property
    def examples(self) -> Path:
        """Patients' questions labelled with the pairs that answer them (:mod:`chatbot.examples`)."""
        return self.root / "examples.yaml"

    @property
    def example_vectors(self) -> Path:
        """The examples as the build read and vectorised them, to spare a start that (:mod:`chatbot.examplefile`)."""
        return self.root / "examples.npz"

    @property
    def curated(self) -> Path:
        return self.root / "curated.yaml"

    @property
    def synonyms(self) -> Path:
        return self.root / "synonyms.yaml"

    @property
    def clinic(self) -> Path:
        return self.root / "clinic.yaml"

    @property
    def safety(self) -> Path:
        return self.root / "safety.yaml"

    @property
    def smalltalk(self) -> Path:
        return self.root / "smalltalk.yaml"

    @property
    def approvals(self) -> Path:
        """Who approved each document and when it must be reviewed (``python -m chatbot status``)."""
        return self.root / "approvals.yaml"

    @property
    def checks(self) -> Path:
        """The clinic's own checks (``python -m chatbot check``)."""
        return self.root / "checks.yaml"


@dataclass(frozen=True)
class Support:
    """The staff-editable files besides the pairs, parsed and validated."""

    settings: ClinicSettings
    synonyms: Synonyms
    safety: SafetyRules
    smalltalk: SmallTalk


def read_support(paths: KnowledgeBasePaths, *, require_clinic: bool = True) -> Support:
    """Parse every staff-editable file; the build calls this so mistakes surface before anything is written.

    The safety and small-talk rules fall back to the shipped ones when a knowledge-base folder has
    none of its own: a bot must never run without red-flag checks. ``clinic.yaml`` has no
    fallback: a bot without the clinic's own numbers does not load. The build passes
    ``require_clinic=False``: it writes pairs, which need no phone number, but it still checks a
    clinic file that exists.
    """
    shipped = KnowledgeBasePaths.at()
    if not paths.clinic.exists() and not require_clinic:
        settings = ClinicSettings()
    else:
        settings = ClinicSettings.from_file(paths.clinic)
    return Support(
        settings=settings,
        synonyms=Synonyms.from_file(paths.synonyms),
        safety=SafetyRules.from_file(paths.safety if paths.safety.exists() else shipped.safety),
        smalltalk=SmallTalk.from_file(paths.smalltalk if paths.smalltalk.exists() else shipped.smalltalk),
    )

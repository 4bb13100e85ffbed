"""Shared fixtures: the engine is tested on a fixed knowledge base, ``tests/kb/``, loaded once per session.

``tests/kb/`` is a frozen copy of the shipped ``faq/`` (documents, staff files and the built
``pairs.yaml``). A clinic edits ``faq/`` freely; the shipped knowledge base is checked only
through its own checks file (``faq/checks.yaml``, see ``test_checks.py``), so adding, changing or
removing a clinic document never breaks the engine's tests.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chatbot import Chatbot  # noqa: E402
from chatbot.safety import SafetyRules  # noqa: E402

KB = Path(__file__).resolve().parent / "kb"
"""The fixed knowledge base the engine, page and CLI tests run on."""
FAQ = ROOT / "faq"
"""The shipped, clinic-edited knowledge base: tested only through its checks file."""
DATA = Path(__file__).resolve().parent / "data"

# The chat page (AppTest and the real-browser server) reads its knowledge base from this variable.
os.environ["CHATBOT_FAQ_DIR"] = str(KB)


@pytest.fixture(scope="session")
def bot() -> Chatbot:
    return Chatbot.load(KB)


@pytest.fixture(scope="session")
def rules() -> SafetyRules:
    """The test knowledge base's safety rules."""
    return SafetyRules.from_file(KB / "safety.yaml")


@pytest.fixture(scope="module")
def clarifying(bot: Chatbot) -> Chatbot:
    """The test bot with a clarify margin so wide that every question fitting several procedures asks."""
    return bot.with_model(bot.model, clarify_margin=1.0)


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixed test knowledge base, for build and error tests."""
    target = tmp_path / "faq"
    shutil.copytree(KB, target)
    return target

"""Shared fixtures: the shipped bot is loaded once per test session (it is immutable)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chatbot import Chatbot  # noqa: E402

FAQ = ROOT / "faq"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def bot() -> Chatbot:
    return Chatbot.load()


@pytest.fixture(scope="session")
def clarifying(bot: Chatbot) -> Chatbot:
    """The shipped bot with a clarify margin so wide that every question fitting several procedures asks."""
    return bot.with_model(bot.model, clarify_margin=1.0)


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge base, for build and error tests."""
    target = tmp_path / "faq"
    shutil.copytree(FAQ, target)
    return target

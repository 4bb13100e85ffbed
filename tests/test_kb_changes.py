"""A clinic that adds or removes a document does not break the project's suite.

The test copies the project, changes the copy's ``faq/`` as clinic staff would (add a leaflet;
remove a document together with the checks and curated edits about it), rebuilds, and runs the
copy's engine tests and its shipped-knowledge-base check. Before ``tests/kb/`` existed, adding one
Markdown document failed five tests that assumed the five shipped documents.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT

from chatbot import Chatbot
from chatbot.build import build
from chatbot.checks import read_checks, run_checks
from chatbot.paths import KnowledgeBasePaths

SUITE = (
    "tests/test_build.py",
    "tests/test_documents.py",
    "tests/test_extract.py",
    "tests/test_retrieval.py",
    "tests/test_conversation.py",
    "tests/test_smalltalk.py",
    "tests/test_checks.py::test_the_shipped_knowledge_base_is_built_and_passes_its_checks",
)
"""The tests that read documents or pairs (the rest never look at the knowledge base's content)."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    for name in ("chatbot", "tests", "faq"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target)
    return target


def _suite(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUITE],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_adding_a_document_keeps_the_suite_green(project: Path) -> None:
    faq = project / "faq"
    before = len(list((faq / "documents").iterdir()))  # five shipped, or more where a clinic added some
    shutil.copy(DATA / "genicular-nerve-block.md", faq / "documents")
    result = build(KnowledgeBasePaths.at(faq))
    assert result.documents == before + 1
    assert Chatbot.load(faq).ask("how long does the relief from a genicular nerve block last").kind == "answer"
    suite = _suite(project)
    assert suite.returncode == 0, suite.stdout[-3000:]


def test_removing_a_document_fails_only_its_own_checks_and_then_keeps_the_suite_green(project: Path) -> None:
    faq = project / "faq"
    removed = "selective-dorsal-rhizotomy"
    (faq / "documents" / f"{removed}.txt").unlink()
    curated = yaml.safe_load((faq / "curated.yaml").read_text("utf-8"))
    curated["pairs"] = [p for p in curated["pairs"] if not str(p.get("extends", "")).startswith(f"{removed}/")]
    (faq / "curated.yaml").write_text(yaml.safe_dump(curated, sort_keys=False), "utf-8")
    build(KnowledgeBasePaths.at(faq))

    outcomes = run_checks(Chatbot.load(faq), read_checks(faq / "checks.yaml"))
    failed = {o.check.question for o in outcomes if not o.passed}
    about_it = {o.check.question for o in outcomes if "selective dorsal" in o.check.question.lower()}
    assert failed and failed <= about_it, failed - about_it

    checks = yaml.safe_load((faq / "checks.yaml").read_text("utf-8"))
    checks["checks"] = [c for c in checks["checks"] if "selective dorsal" not in c["question"].lower()]
    (faq / "checks.yaml").write_text(yaml.safe_dump(checks, sort_keys=False), "utf-8")
    assert len(read_checks(faq / "checks.yaml")) == len(outcomes) - len(about_it)
    suite = _suite(project)
    assert suite.returncode == 0, suite.stdout[-3000:]

"""The Python version the project states is the one its pinned packages really need.

README, ``pyproject.toml`` and ``.ci/run`` say 3.11; every pinned package must accept 3.11, and
at least one must refuse 3.10 (else the stated minimum would be stricter than needed). The
packages' own ``Requires-Python`` metadata decides, read from what pip installed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

STATED = (3, 11)


def _pins() -> list[Requirement]:
    pins = []
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-r"):
                pins.append(Requirement(line))
    return pins


def _requires_python(requirement: Requirement) -> SpecifierSet:
    return SpecifierSet(metadata.metadata(requirement.name).get("Requires-Python") or "")


def test_pyproject_readme_and_ci_state_the_same_minimum() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert pyproject["tool"]["ruff"]["target-version"] == "py311"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in readme
    assert not re.search(r"Python 3\.10", readme)
    assert sys.version_info[:2] >= STATED


@pytest.mark.parametrize("requirement", _pins(), ids=lambda r: r.name)
def test_every_pin_is_installed_and_accepts_the_stated_minimum(requirement: Requirement) -> None:
    assert metadata.version(requirement.name) in requirement.specifier, f"{requirement} is not what is installed"
    assert _requires_python(requirement).contains(".".join(map(str, STATED))), _requires_python(requirement)


def test_the_stated_minimum_is_needed() -> None:
    older = f"{STATED[0]}.{STATED[1] - 1}"
    refusing = [r.name for r in _pins() if not _requires_python(r).contains(older)]
    assert refusing, f"every pinned package accepts Python {older}: the stated minimum could be lower"

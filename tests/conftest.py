"""Shared fixtures: the repository root and the author's original post; ``tests/support/`` (helpers, not tests) on
the import path, as the engine's subprocesses and Ray workers get it through ``PYTHONPATH``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AUTHOR_POST = ROOT / "tests" / "fixtures" / "posts" / "engineering-culture-leadership.md"

SUPPORT = ROOT / "tests" / "support"
sys.path.insert(0, str(SUPPORT))

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def author_post() -> Path:
    return AUTHOR_POST

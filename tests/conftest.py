"""What every layer shares: the repository root and the author's original post; ``tests/support/`` (helpers, not
tests) on the import path, as the engine's subprocesses and Ray workers get it through ``PYTHONPATH``.

The layers are folders (``unit/``, ``integration/``, ``notebooks/``, ``site/``); a post's own tests
(``posts/<slug>/``) are unit tests unless marked ``integration``. Each test gets its layer's marker here, so
``-m unit`` and ``-m integration`` select the same tests wherever they live. A unit test that leaves a Ray session
running fails (it belongs in ``integration/``), and no skip is silent: every skipped test is listed with its reason
at the end of the run, whatever the options.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
AUTHOR_POST = TESTS / "fixtures" / "posts" / "engineering-culture-leadership.md"

SUPPORT = TESTS / "support"
sys.path.insert(0, str(SUPPORT))

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

LAYERS = ("unit", "integration", "notebooks", "site")
"""In order of cost: ``make test`` runs them in this order and stops at the first that fails."""


def layer_of(path: Path, markers: set[str]) -> str | None:
    """The layer of a test: its folder, or for a post's tests (``posts/<slug>/``) ``integration`` when so marked
    and ``unit`` otherwise; ``None`` for what is collected outside ``tests/`` (nbval's notebooks)."""
    path = path.resolve()
    if TESTS not in path.parents:
        return None
    rel = path.relative_to(TESTS).parts
    if rel[0] in LAYERS:
        return rel[0]
    if rel[0] == "posts":
        return next((m for m in LAYERS[1:] if m in markers), "unit")
    raise pytest.UsageError(f"{path}: a test outside the layer folders ({', '.join(LAYERS)}) and posts/<slug>/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        layer = layer_of(Path(str(item.path)), {m.name for m in item.iter_markers()})
        if layer is None:
            continue
        item.add_marker(getattr(pytest.mark, layer))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):  # noqa: ANN201
    yield
    if item.get_closest_marker("unit") and "ray" in sys.modules:
        import ray

        if ray.is_initialized():
            ray.shutdown()
            pytest.fail(f"{item.nodeid} started a Ray session: a test that needs Ray belongs in tests/integration/",
                        pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} skipped, each with its reason", sep="=", yellow=True, bold=True)
    for rep in skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        terminalreporter.write_line(f"SKIPPED {rep.nodeid}: {reason.removeprefix('Skipped: ')}")


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def author_post() -> Path:
    return AUTHOR_POST

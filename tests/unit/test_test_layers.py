"""The test layers themselves (tests/conftest.py): each test gets its folder's marker, a post's test is a unit test
unless marked ``integration``, every skip is listed with its reason, and a test outside the layers is refused."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


def _suite(tmp_path: Path, files: dict[str, str]) -> Path:
    tests = tmp_path / "tests"
    (tests / "support").mkdir(parents=True)
    shutil.copy(CONFTEST, tests / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider --import-mode=importlib\n"
                                         "markers =\n    unit\n    integration\n    notebooks\n    site\n    multinode\n")
    for name, text in files.items():
        (tests / name).parent.mkdir(parents=True, exist_ok=True)
        (tests / name).write_text(text)
    return tmp_path


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args, "tests"], cwd=root, capture_output=True,
                          text=True, timeout=120)


def test_layers_are_selected_by_folder_and_a_posts_marker(tmp_path: Path) -> None:
    root = _suite(tmp_path, {
        "unit/test_a.py": "def test_a():\n    pass\n",
        "integration/test_b.py": "def test_b():\n    pass\n",
        "posts/some_post/test_c.py": ("import pytest\n\ndef test_c_unit():\n    pass\n\n"
                                      "@pytest.mark.integration\ndef test_c_engine():\n    pass\n"),
    })
    unit = _pytest(root, "-m", "unit", "--collect-only")
    assert "test_a" in unit.stdout and "test_c_unit" in unit.stdout
    assert "test_b" not in unit.stdout and "test_c_engine" not in unit.stdout
    integration = _pytest(root, "-m", "integration", "--collect-only")
    assert "test_b" in integration.stdout and "test_c_engine" in integration.stdout and "test_a" not in integration.stdout


def test_every_skip_is_listed_with_its_reason(tmp_path: Path) -> None:
    root = _suite(tmp_path, {"unit/test_s.py": ("import pytest\n\n@pytest.mark.skip(reason='no widget here')\n"
                                                "def test_s():\n    pass\n\ndef test_t():\n    pytest.skip('later')\n")})
    r = _pytest(root)
    assert r.returncode == 0, r.stdout
    assert "2 skipped, each with its reason" in r.stdout
    assert "SKIPPED tests/unit/test_s.py::test_s: no widget here" in r.stdout
    assert "SKIPPED tests/unit/test_s.py::test_t: later" in r.stdout


def test_a_test_outside_the_layers_is_refused(tmp_path: Path) -> None:
    root = _suite(tmp_path, {"test_loose.py": "def test_loose():\n    pass\n"})
    r = _pytest(root)
    assert r.returncode != 0 and "outside the layer folders" in r.stdout + r.stderr


def test_a_unit_test_that_starts_ray_fails(tmp_path: Path) -> None:
    root = _suite(tmp_path, {"unit/test_r.py": ("import sys, types\n\ndef test_r():\n"
                                                "    sys.modules['ray'] = types.SimpleNamespace(\n"
                                                "        is_initialized=lambda: True, shutdown=lambda: None)\n")})
    r = _pytest(root)
    assert r.returncode == 1 and "started a Ray session" in r.stdout

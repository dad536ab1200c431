"""The GitHub Actions workflows, checked offline by the ecosystem's own linters (``make actions-env``).

- ``actionlint`` (types, expressions, shell of each ``run:``) and ``zizmor`` (security: unpinned actions, excessive
  permissions, template injection, credential persistence), both at their strictest, with no finding.
- Every action pinned by a full commit id with its release in a comment; least-privilege ``permissions`` declared at
  the top of every workflow; no expression (``${{ ... }}``) inside a ``run:`` script, so that no title, body or branch
  name can reach a shell.
- The pull-request workflow runs exactly the make targets of ``.ci/run``, in the same order, so the two cannot drift;
  every make target a workflow calls exists.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from mlopsbook.paths import repo_root

ROOT = repo_root()
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONS_BIN = ROOT / ".venv-actions" / "bin"
_OPERATOR = re.compile(r"[;&|()]+")
_OPTIONS_WITH_ARGUMENT = {"-o", "-C", "-f", "-I", "-W", "--old-file", "--file", "--directory", "--what-if"}


def _tool(name: str) -> Path:
    path = ACTIONS_BIN / name
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make actions-env` first")
    return path


def _workflows() -> dict[str, dict]:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert files, "no workflow in .github/workflows"
    return {f.name: yaml.safe_load(f.read_text(encoding="utf-8")) for f in files}


def _triggers(wf: dict) -> dict:
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as true
    return on if isinstance(on, dict) else {name: None for name in ([on] if isinstance(on, str) else on)}


def _steps(wf: dict) -> list[dict]:
    return [s for job in wf["jobs"].values() for s in job.get("steps", [])]


def make_targets(script: str) -> list[str]:
    """The make targets a shell script calls, in order (``make a b`` gives a, b; options, their arguments and
    variable assignments are not targets)."""
    out: list[str] = []
    for line in script.splitlines():
        lex = shlex.shlex(line, posix=True, punctuation_chars=True)
        lex.commenters = "#"
        tokens = list(lex)
        start = True
        k = 0
        while k < len(tokens):
            tok = tokens[k]
            if start and tok == "make":
                k += 1
                while k < len(tokens) and not _OPERATOR.fullmatch(tokens[k]):
                    word = tokens[k]
                    if word in _OPTIONS_WITH_ARGUMENT:
                        k += 1
                    elif not word.startswith("-") and "=" not in word:
                        out.append(word)
                    k += 1
                continue
            start = bool(_OPERATOR.fullmatch(tok))
            k += 1
    return out


def test_make_targets_parser() -> None:
    assert make_targets("set -e\nmake test\n# make nothing\nmake reader-test  # readers") == ["test", "reader-test"]
    assert make_targets("make reverify OFFER_FILES=\"a b\" && make -o x book") == ["reverify", "book"]
    assert make_targets("echo makefile; remake x") == []


def test_actionlint_clean() -> None:
    proc = subprocess.run([str(_tool("actionlint")), "-color=false", *map(str, sorted(WORKFLOWS.glob("*.yml")))],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_clean_at_its_strictest() -> None:
    proc = subprocess.run([str(_tool("zizmor")), "--offline", "--persona=pedantic", "--no-progress",
                           str(WORKFLOWS)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout, proc.stdout


def test_actions_pinned_by_commit() -> None:
    for name, wf in _workflows().items():
        for step in _steps(wf):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"{name}: {step['uses']}"
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40}\s+#\s*v\d+\.\d+\.\d+$", line), f"{name}: release not named: {line}"


def test_permissions_least_privilege() -> None:
    for name, wf in _workflows().items():
        assert "permissions" in wf, f"{name}: no top-level permissions"
        top = wf["permissions"] or {}
        assert isinstance(top, dict) and all(v in ("read", "none") for v in top.values()), f"{name}: {top}"
        for job_name, job in wf["jobs"].items():
            perms = job.get("permissions", {})
            assert perms != "write-all" and isinstance(perms, dict), f"{name}/{job_name}: {perms}"
            writes = {k for k, v in perms.items() if v == "write"}
            assert writes <= {"pages", "id-token"}, f"{name}/{job_name} writes {writes}"
            if writes:  # only the job that deploys Pages, and it runs no code of the repository
                assert all("run" not in s for s in job["steps"]), f"{name}/{job_name} runs scripts with {writes}"


def test_no_expression_in_run_scripts() -> None:
    for name, wf in _workflows().items():
        for step in _steps(wf):
            assert "${{" not in step.get("run", ""), f"{name}: {step.get('name', step['run'][:40])}"


def test_checkout_does_not_persist_credentials() -> None:
    for name, wf in _workflows().items():
        for step in _steps(wf):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, name


def test_pull_requests_run_the_make_targets_of_ci_run() -> None:
    ci = make_targets((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert ci, ".ci/run calls no make target"
    prs = [n for n, wf in _workflows().items() if "pull_request" in _triggers(wf)]
    assert prs, "no workflow runs on pull requests"
    for name in prs:
        called = [t for s in _steps(_workflows()[name]) for t in make_targets(s.get("run", ""))]
        assert called == ci, f"{name} runs make {called}, .ci/run runs make {ci}"


def _defined_targets() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))])
    return {t for line in text.splitlines() if (m := re.match(r"^([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)*)\s*:(?!=)", line))
            for t in m.group(1).split()}


def test_every_make_target_called_exists() -> None:
    defined = _defined_targets()
    for name, wf in _workflows().items():
        for step in _steps(wf):
            for t in make_targets(step.get("run", "")):
                assert t in defined, f"{name} calls make {t}, which no Makefile defines"


def test_publishing_and_reverification_triggers() -> None:
    wfs = _workflows()
    deploys = [n for n, wf in wfs.items() if any(s.get("uses", "").startswith("actions/deploy-pages@")
                                                 for s in _steps(wf))]
    assert len(deploys) == 1
    pages = wfs[deploys[0]]
    assert _triggers(pages)["push"]["branches"] == ["main"]
    used = {s["uses"].split("@")[0] for s in _steps(pages) if "uses" in s}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= used
    assert "book" in [t for s in _steps(pages) for t in make_targets(s.get("run", ""))]
    weekly = [wf for wf in wfs.values() if "schedule" in _triggers(wf)]
    assert len(weekly) == 1 and "workflow_dispatch" in _triggers(weekly[0])
    steps = _steps(weekly[0])
    assert "reverify" in [t for s in steps for t in make_targets(s.get("run", ""))]
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0].get("if") == "always()", "the report must be uploaded when the run fails"

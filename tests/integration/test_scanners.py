"""The deployment artefacts and the Python code, checked by the ecosystem's own scanners (``make scan-env``).

- ``checkov`` (pinned in ``requirements-scan.txt``) on a copy of ``deploy/`` (the engine's Dockerfile, the KubeRay
  manifests and NetworkPolicies, the SAM template when ``deploy/lambda/template.yaml`` exists) plus the RayService's
  and RayJob's pods extracted as plain ``v1`` Pods (:func:`mlopsbook.engine.manifests.pods`), because checkov's
  Kubernetes policies do not look inside custom resources. Every failed check must be listed, with its reason, in
  ``deploy/SECURITY.md``, and every check listed there must still fail (no stale exceptions).
- ``bandit`` on ``src/``, ``lambda/`` and ``airflow/``: no finding of medium or high severity unless it is listed in
  ``deploy/SECURITY.md``; every ``# nosec`` in that code names the test it silences and why.

checkov runs offline (``--skip-download``): nothing is fetched at test time.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlopsbook.paths import repo_root
from mlopsbook.engine import manifests

ROOT = repo_root()
SCAN_BIN = ROOT / ".venv-scan" / "bin"
SECURITY_MD = ROOT / "deploy" / "SECURITY.md"
SAM_TEMPLATE = ROOT / "deploy" / "lambda" / "template.yaml"
BANDIT_TREES = ("src", "lambda", "airflow")
_ROW = re.compile(r"^\|\s*(CKV2?_[A-Z0-9_]+|B\d{3})\s*\|\s*`([^`]+)`\s*\|(.+)\|\s*$")


def _tool(name: str) -> Path:
    path = SCAN_BIN / name
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make scan-env` first")
    return path


def accepted() -> list[tuple[str, str, str]]:
    """The accepted findings of deploy/SECURITY.md: (check id, resource or file glob, reason), one per table row."""
    rows = [m.groups() for m in map(_ROW.match, SECURITY_MD.read_text().splitlines()) if m]
    return [(cid, glob, reason.strip()) for cid, glob, reason in rows]


def _is_accepted(check_id: str, resource: str) -> bool:
    return any(cid == check_id and fnmatch.fnmatch(resource, glob) for cid, glob, _ in accepted())


@pytest.fixture(scope="module")
def checkov_reports(tmp_path_factory) -> list[dict]:  # noqa: ANN001
    """checkov's JSON reports on deploy/ and the extracted pods (one run, all frameworks it detects)."""
    checkov = _tool("checkov")
    tree = tmp_path_factory.mktemp("scan")
    shutil.copytree(ROOT / "deploy", tree / "deploy")
    pods = manifests.pods(manifests.rayservice()) + manifests.pods(manifests.rayjob(manifests.EXAMPLE_DAY))
    (tree / "pods").mkdir()
    (tree / "pods" / "pods.yaml").write_text(yaml.safe_dump_all(pods, sort_keys=False))
    # the NetworkPolicies beside the pods, so checkov's graph check can match them (CKV2_K8S_6)
    shutil.copy(tree / "deploy" / "kuberay" / "networkpolicy.yaml", tree / "pods" / "networkpolicy.yaml")
    proc = subprocess.run([str(checkov), "-d", str(tree), "-o", "json", "--skip-download", "--soft-fail"], capture_output=True, text=True, timeout=600, cwd=tree)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    return out if isinstance(out, list) else [out]


def _failed(reports: list[dict]) -> list[tuple[str, str, str]]:
    return [(c["check_id"], c["resource"], c["file_path"]) for r in reports
            for c in r.get("results", {}).get("failed_checks", [])]


def test_checkov_scanned_the_dockerfile_the_pods_and_the_sam_template(checkov_reports: list[dict]) -> None:
    kinds = {r["check_type"]: r for r in checkov_reports}
    assert kinds["dockerfile"]["summary"]["resource_count"] >= 1
    assert kinds["kubernetes"]["summary"]["resource_count"] >= 5  # 5 pods (+ the NetworkPolicies)
    for r in checkov_reports:
        assert r["summary"]["parsing_errors"] == 0, r["check_type"]
    if SAM_TEMPLATE.is_file():
        files = {c["file_path"] for r in checkov_reports if r["check_type"] == "cloudformation"
                 for c in r["results"]["passed_checks"] + r["results"]["failed_checks"]}
        assert any(f.endswith("lambda/template.yaml") for f in files), "checkov did not scan the SAM template"


def test_dockerfile_passes_every_check(checkov_reports: list[dict]) -> None:
    fails = [f for f in _failed(checkov_reports) if f[2].endswith("Dockerfile")]
    assert fails == []
    passed = {c["check_id"] for r in checkov_reports if r["check_type"] == "dockerfile"
              for c in r["results"]["passed_checks"]}
    assert {"CKV_DOCKER_2", "CKV_DOCKER_3"} <= passed  # HEALTHCHECK, non-root USER


def test_pods_pass_the_hardening_checks(checkov_reports: list[dict]) -> None:
    passed = {c["check_id"] for r in checkov_reports if r["check_type"] == "kubernetes"
              for c in r["results"]["passed_checks"]}
    failed = {cid for cid, _, _ in _failed(checkov_reports)}
    # non-root, no privilege escalation, NET_RAW and all capabilities dropped, read-only root, seccomp, a
    # NetworkPolicy per pod, not the default namespace, image pulled with Always
    for cid in ("CKV_K8S_23", "CKV_K8S_20", "CKV_K8S_28", "CKV_K8S_37", "CKV_K8S_22", "CKV_K8S_31", "CKV2_K8S_6",
                "CKV_K8S_21", "CKV_K8S_15", "CKV_K8S_29", "CKV_K8S_30"):
        assert cid in passed and cid not in failed, cid


def test_every_checkov_failure_is_explained_in_security_md(checkov_reports: list[dict]) -> None:
    unexplained = sorted({(cid, res) for cid, res, _ in _failed(checkov_reports) if not _is_accepted(cid, res)})
    assert unexplained == [], f"failed checks not in deploy/SECURITY.md: {unexplained}"


def test_no_stale_exception_in_security_md(checkov_reports: list[dict]) -> None:
    fails = _failed(checkov_reports)
    stale = [(cid, glob) for cid, glob, _ in accepted() if cid.startswith("CKV")
             and not any(c == cid and fnmatch.fnmatch(res, glob) for c, res, _ in fails)]
    assert stale == [], f"deploy/SECURITY.md accepts checks that no longer fail: {stale}"
    assert all(len(reason) > 20 for _, _, reason in accepted()), "each accepted finding needs its reason"


def test_bandit_finds_nothing_medium_or_above_unexplained() -> None:
    bandit = _tool("bandit")
    proc = subprocess.run([str(bandit), "-r", *BANDIT_TREES, "-f", "json", "-q", "--severity-level", "medium"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    report = json.loads(proc.stdout)
    assert report["errors"] == [], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 1000  # it did read the code
    found = [(r["test_id"], r["filename"], r["line_number"], r["issue_text"]) for r in report["results"]]
    unexplained = [f for f in found if not _is_accepted(f[0], f[1])]
    assert unexplained == [], unexplained


def test_every_nosec_names_the_check_and_the_reason() -> None:
    bad = []
    for tree in BANDIT_TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if "# nosec" in line and not re.search(r"# nosec B\d{3}(,\s*B\d{3})* - \S.{10,}", line):
                    bad.append(f"{path.relative_to(ROOT)}:{n}")
    assert bad == [], f"`# nosec` without a check id and a reason: {bad}"


def test_security_md_is_parsed() -> None:
    ids = {cid for cid, _, _ in accepted()}
    assert "CKV_K8S_43" in ids  # the image digest (the readers' registry decides it)

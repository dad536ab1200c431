"""The deployment artefacts and the Python code, checked by the ecosystem's own scanners (``make scan-env``).

- ``checkov`` (pinned in ``requirements-scan.txt``, run by :mod:`mlopsbook.security.scanners`) on a copy of
  ``deploy/`` (the engine's Dockerfile, the KubeRay manifests and NetworkPolicies, the SAM template transformed into CloudFormation so
  that its API is evaluated) plus the RayService's
  and RayJob's pods extracted as plain ``v1`` Pods (:func:`mlopsbook.engine.manifests.pods`), because checkov's
  Kubernetes policies do not look inside custom resources. Every failed check must be listed, with its reason, in
  ``deploy/SECURITY.md``, and every check listed there must still fail (no stale exceptions).
- ``bandit`` on ``src/``, ``lambda/`` and ``airflow/``: no finding of medium or high severity unless it is listed in
  ``deploy/SECURITY.md``; every ``# nosec`` in that code names the test it silences and why.

checkov runs offline (``--skip-download``): nothing is fetched at test time.
"""

from __future__ import annotations

import fnmatch
import re

import pytest

from mlopsbook.security import report as security_report, scanners
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root

ROOT = repo_root()
SECURITY_MD = ROOT / "deploy" / "SECURITY.md"
SAM_TEMPLATE = ROOT / "deploy" / "lambda" / "template.yaml"
BANDIT_TREES = scanners.BANDIT_TREES


def _run(fn, *args):  # noqa: ANN001, ANN202
    try:
        return fn(*args)
    except scanners.ScannerMissing as exc:
        pytest.fail(str(exc))


def accepted() -> list[tuple[str, str, str]]:
    """The accepted findings of deploy/SECURITY.md: (check id, resource or file glob, reason), one per table row."""
    return scanners.accepted(SECURITY_MD)


def _is_accepted(check_id: str, resource: str) -> bool:
    return scanners.is_accepted(accepted(), check_id, resource)


@pytest.fixture(scope="module")
def checkov_reports() -> list[dict]:
    """checkov's JSON reports on deploy/ (the SAM template transformed) and the extracted pods (one run)."""
    return _run(scanners.checkov, ROOT)


@pytest.fixture(scope="module")
def bandit_report() -> dict:
    return _run(scanners.bandit, ROOT)


def _failed(reports: list[dict]) -> list[tuple[str, str, str]]:
    return [(f.check_id, f.resource, f.file) for f in scanners.checkov_failed(reports)]


def test_checkov_scanned_the_dockerfile_the_pods_and_the_sam_template(checkov_reports: list[dict]) -> None:
    kinds = {r["check_type"]: r for r in checkov_reports}
    assert kinds["dockerfile"]["summary"]["resource_count"] >= 1
    assert kinds["kubernetes"]["summary"]["resource_count"] >= 5  # 5 pods (+ the NetworkPolicies)
    for r in checkov_reports:
        assert r["summary"]["parsing_errors"] == 0, r["check_type"]
    if SAM_TEMPLATE.is_file():
        cfn = [c for r in checkov_reports if r["check_type"] == "cloudformation"
               for c in r["results"]["passed_checks"] + r["results"]["failed_checks"]]
        assert {c["file_path"] for c in cfn} == {"/" + str(scanners.TRANSFORMED)}, "checkov did not scan the SAM template"
        # the API is evaluated: its stage, and the checks that it is not open to anyone
        resources = {c["resource"] for c in cfn}
        assert "AWS::ApiGateway::Stage.NlpApiprodStage" in resources
        passed = {(c["check_id"], c["resource"]) for r in checkov_reports if r["check_type"] == "cloudformation"
                  for c in r["results"]["passed_checks"]}
        assert ("CKV_AWS_76", "AWS::ApiGateway::Stage.NlpApiprodStage") in passed  # access logging
        assert ("CKV_AWS_115", "AWS::Lambda::Function.ClassifyFunction") in passed  # reserved concurrency
        assert ("CKV_AWS_66", "AWS::Logs::LogGroup.NlpApiAccessLogs") in passed  # logs kept a bounded time


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


def test_bandit_finds_nothing_medium_or_above_unexplained(bandit_report: dict) -> None:
    assert bandit_report["errors"] == [], bandit_report["errors"]
    assert bandit_report["metrics"]["_totals"]["loc"] > 1000  # it did read the code
    found = [(f.check_id, f.file, f.line) for f in scanners.bandit_findings(bandit_report)
             if f.severity in ("MEDIUM", "HIGH")]
    unexplained = [f for f in found if not _is_accepted(f[0], f[1])]
    assert unexplained == [], unexplained


def test_security_md_is_what_the_scanners_say_now(checkov_reports: list[dict], bandit_report: dict) -> None:
    """The page's generated sections (scanner counts, the API's guards and their bounds) are regenerated from this
    run; any difference means the committed page is stale: `make security-report`."""
    new = security_report.regenerate(ROOT, checkov_reports=checkov_reports, bandit_report=bandit_report)
    assert SECURITY_MD.read_text() == new, "deploy/SECURITY.md is out of date: run `make security-report`"
    sections = security_report.sections_of(new)
    assert "| checkov, CloudFormation" in sections["scanner-results"]
    assert "| API key and usage plan |" in sections["api-guards"]


def test_a_page_without_its_generated_sections_is_refused() -> None:
    with pytest.raises(MlopsbookError, match="no generated section api-guards"):
        security_report.render("# Security\n", {"api-guards": "x"})


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
    assert "CKV_AWS_115" not in ids  # reserved concurrency is set now

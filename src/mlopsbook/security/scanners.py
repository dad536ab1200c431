"""The security scanners, run the one way the tests and ``mlopsbook security report`` share.

- ``checkov`` (``.venv-scan``, pinned in ``requirements-scan.txt``) on a copy of ``deploy/`` where the SAM template is
  replaced by its CloudFormation transform (``aws-sam-translator`` in ``.venv-deploy``, offline: the implicit API,
  its stage, usage plan and key, the functions' permissions become resources checkov evaluates), plus the
  RayService's and RayJob's pods extracted as plain ``v1`` Pods (checkov's Kubernetes policies do not look inside
  custom resources).
- ``bandit`` on ``src/``, ``lambda/`` and ``airflow/``, every severity.

Both run offline (``--skip-download``); nothing is fetched. A missing environment raises :class:`ScannerMissing`
naming the make target that installs it.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import repo_root

BANDIT_TREES = ("src", "lambda", "airflow")
SAM_TEMPLATE = Path("deploy") / "lambda" / "template.yaml"
TRANSFORMED = Path("deploy") / "lambda" / "template.transformed.json"
"""Where the transformed template lies in the scanned copy (never in the repository)."""
_ROW = re.compile(r"^\|\s*(CKV2?_[A-Z0-9_]+|B\d{3})\s*\|\s*`([^`]+)`\s*\|(.+)\|\s*$")


class ScannerMissing(MlopsbookError):
    """A scanner's environment is not installed."""


@dataclass(frozen=True)
class Finding:
    """One failed check: the tool's check id, the resource (checkov) or file (bandit), and where."""

    check_id: str
    resource: str
    file: str
    severity: str = ""
    line: int = 0


def _tool(root: Path, venv: str, name: str, target: str) -> Path:
    path = root / venv / "bin" / name
    if not path.is_file():
        raise ScannerMissing(f"{path.relative_to(root)} is missing: run `make {target}` first")
    return path


def transform_sam(root: Path | None = None) -> dict:
    """The SAM template as CloudFormation (``aws-sam-translator`` in ``.venv-deploy``, offline)."""
    root = root or repo_root()
    python = _tool(root, ".venv-deploy", "python", "deploy-env")
    proc = subprocess.run([str(python), str(root / "deploy" / "lambda" / "transform_offline.py"),
                           str(root / SAM_TEMPLATE)], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-west-1"})
    if proc.returncode != 0:
        raise MlopsbookError(f"{SAM_TEMPLATE}: the SAM transform failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout)


def scan_tree(root: Path, tree: Path) -> Path:
    """Fill ``tree`` with what checkov scans (see the module's description); returns it."""
    from mlopsbook.engine import manifests
    import yaml

    shutil.copytree(root / "deploy", tree / "deploy")
    if (root / SAM_TEMPLATE).is_file():
        (tree / SAM_TEMPLATE).unlink()
        (tree / TRANSFORMED).write_text(json.dumps(transform_sam(root), indent=1, sort_keys=True))
    pods = manifests.pods(manifests.rayservice()) + manifests.pods(manifests.rayjob(manifests.EXAMPLE_DAY))
    (tree / "pods").mkdir()
    (tree / "pods" / "pods.yaml").write_text(yaml.safe_dump_all(pods, sort_keys=False))
    # the NetworkPolicies beside the pods, so checkov's graph check can match them (CKV2_K8S_6)
    shutil.copy(tree / "deploy" / "kuberay" / "networkpolicy.yaml", tree / "pods" / "networkpolicy.yaml")
    return tree


def checkov(root: Path | None = None) -> list[dict]:
    """checkov's JSON reports (one per framework) on the scanned tree."""
    root = root or repo_root()
    exe = _tool(root, ".venv-scan", "checkov", "scan-env")
    with tempfile.TemporaryDirectory(prefix="mlopsbook-scan-") as tmp:
        tree = scan_tree(root, Path(tmp))
        proc = subprocess.run([str(exe), "-d", str(tree), "-o", "json", "--skip-download", "--soft-fail"],
                              capture_output=True, text=True, timeout=600, cwd=tree)
    if proc.returncode != 0:
        raise MlopsbookError(f"checkov failed: {proc.stderr.strip()[-500:]}")
    out = json.loads(proc.stdout)
    return out if isinstance(out, list) else [out]


def checkov_failed(reports: list[dict]) -> list[Finding]:
    return [Finding(c["check_id"], c["resource"], c["file_path"]) for r in reports
            for c in r.get("results", {}).get("failed_checks", [])]


def bandit(root: Path | None = None) -> dict:
    """bandit's JSON report on :data:`BANDIT_TREES`, every severity."""
    root = root or repo_root()
    exe = _tool(root, ".venv-scan", "bandit", "scan-env")
    proc = subprocess.run([str(exe), "-r", *BANDIT_TREES, "-f", "json", "-q"], capture_output=True, text=True,
                          timeout=600, cwd=root)
    return json.loads(proc.stdout)


def bandit_findings(report: dict) -> list[Finding]:
    return [Finding(r["test_id"], r["filename"], r["filename"], r["issue_severity"], r["line_number"])
            for r in report["results"]]


def accepted(security_md: Path) -> list[tuple[str, str, str]]:
    """The accepted findings of ``deploy/SECURITY.md``: (check id, resource or file glob, reason), one per row."""
    rows = [m.groups() for m in map(_ROW.match, security_md.read_text().splitlines()) if m]
    return [(cid, glob, reason.strip()) for cid, glob, reason in rows]


def is_accepted(rows: list[tuple[str, str, str]], check_id: str, resource: str) -> bool:
    return any(cid == check_id and fnmatch.fnmatch(resource, glob) for cid, glob, _ in rows)

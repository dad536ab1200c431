"""Checks of the KubeRay manifests, as a cluster would check them, and the checked-in files.

:func:`validate` checks a manifest against the KubeRay CRD's OpenAPI v3 schema for its kind (``data/kuberay-crds/``,
version ``v1``), with unknown fields rejected as ``kubectl``'s default strict field validation does, plus what the
schema cannot express but an API server or the operator would reject: a metadata name that is not a DNS-1123 label,
a ``serveConfigV2`` that Ray Serve's own config schema rejects, a RayJob entrypoint that the
``mlopsbook engine bulk`` command does not accept. It returns every problem as one line naming the field; an empty list means valid.

:func:`write` writes the manifests of :mod:`mlopsbook.engine.manifests` into ``deploy/kuberay/`` after validating
them; :func:`check_files` says how the checked-in files differ from what the code generates.
"""


from __future__ import annotations

import argparse
import contextlib
import io
import shlex
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mlopsbook.engine import bulk
from mlopsbook.engine.manifests import DNS1123_LABEL, rendered
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path, repo_root

CRD_FILES = {"RayService": "ray.io_rayservices.yaml", "RayJob": "ray.io_rayjobs.yaml",
             "RayCluster": "ray.io_rayclusters.yaml"}
DEPLOY_DIR = "deploy/kuberay"


# -- validation --------------------------------------------------------------------------------------------------------
def _strict(schema: Any) -> Any:
    """Reject unknown fields, as kubectl's strict field validation does (keeping preserve-unknown-fields objects)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@lru_cache(maxsize=None)
def crd_schema(kind: str) -> dict:
    """The ``v1`` OpenAPI v3 schema of a KubeRay kind, made strict about unknown fields."""
    if kind not in CRD_FILES:
        raise MlopsbookError(f"kind: must be one of {', '.join(CRD_FILES)} (got {kind!r})")
    crd = yaml.safe_load(data_path("kuberay-crds", CRD_FILES[kind]).read_text())
    versions = {v["name"]: v for v in crd["spec"]["versions"]}
    if "v1" not in versions:
        raise MlopsbookError(f"{CRD_FILES[kind]}: no v1 version in the CRD")
    return _strict(versions["v1"]["schema"]["openAPIV3Schema"])


def _path(err: Any) -> str:
    return ".".join(str(p) for p in err.absolute_path) or "(root)"


def _check_serve_config(text: str) -> list[str]:
    from pydantic import ValidationError
    from ray.serve.schema import ServeDeploySchema

    try:
        cfg = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [f"spec.serveConfigV2: not YAML ({exc})"]
    try:
        ServeDeploySchema.model_validate(cfg)
    except ValidationError as exc:
        return [f"spec.serveConfigV2.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    probs = []
    for app in cfg.get("applications", []):
        mod, _, attr = str(app.get("import_path", "")).partition(":")
        if mod.startswith("mlopsbook."):
            import importlib

            try:
                module = importlib.import_module(mod)
            except ImportError as exc:
                probs.append(f"spec.serveConfigV2.applications.import_path: cannot import {mod} ({exc})")
                continue
            try:
                getattr(module, attr)  # builds the application (no cluster needed)
            except AttributeError:
                probs.append(f"spec.serveConfigV2.applications.import_path: {mod} has no {attr!r}")
    return probs


def _check_entrypoint(cmd: str) -> list[str]:
    argv = shlex.split(cmd)
    if not argv or argv[0] != "mlopsbook":
        return [f"spec.entrypoint: must run the mlopsbook command (got {cmd!r})"]
    if argv[1:3] != ["engine", "bulk"]:
        return [f"spec.entrypoint: must run `mlopsbook engine bulk` (got {cmd!r})"]
    parser = argparse.ArgumentParser(prog="mlopsbook engine bulk", add_help=False)
    bulk.add_arguments(parser)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            parser.parse_args(argv[3:])
    except SystemExit:
        last = err.getvalue().strip().splitlines()[-1:] or ["rejected"]
        return [f"spec.entrypoint: the CLI rejects it: {last[0]}"]
    return []


def _check_name(manifest: dict) -> list[str]:
    name = (manifest.get("metadata") or {}).get("name")
    if not isinstance(name, str) or len(name) > 63 or not DNS1123_LABEL.match(name):
        return [f"metadata.name: must be a DNS-1123 label (lower-case alphanumerics and '-', at most 63; got "
                f"{name!r})"]
    return []


def hardening_problems(manifest: dict) -> list[str]:
    """What makes a RayService or RayJob less than secure by default, one line each naming the field.

    Token authentication on (``authOptions.mode: token``); in every pod template: ``runAsNonRoot``, a non-root UID,
    seccomp ``RuntimeDefault``; in every container: no privilege escalation, every capability dropped, a read-only root
    filesystem; in every Ray container: liveness and readiness probes. Empty when hardened.
    """
    probs = []
    kind = manifest.get("kind")
    spec = manifest.get("spec") or {}
    cluster_key = "rayClusterConfig" if kind == "RayService" else "rayClusterSpec"
    cluster = spec.get(cluster_key) or {}
    if (cluster.get("authOptions") or {}).get("mode", "token" if "authOptions" in cluster else None) != "token":
        probs.append(f"spec.{cluster_key}.authOptions.mode: must be token (Ray's token authentication)")
    templates = [(f"spec.{cluster_key}.headGroupSpec.template", cluster.get("headGroupSpec", {}).get("template"))]
    templates += [(f"spec.{cluster_key}.workerGroupSpecs.{i}.template", g.get("template"))
                  for i, g in enumerate(cluster.get("workerGroupSpecs", []))]
    if kind == "RayJob":
        templates.append(("spec.submitterPodTemplate", spec.get("submitterPodTemplate")))
    for where, t in templates:
        if not isinstance(t, dict):
            probs.append(f"{where}: missing (the operator's default pod is not hardened)")
            continue
        psc = (t.get("spec") or {}).get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True or not psc.get("runAsUser"):
            probs.append(f"{where}.spec.securityContext: needs runAsNonRoot: true and a non-root runAsUser")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            probs.append(f"{where}.spec.securityContext.seccompProfile.type: must be RuntimeDefault")
        for i, c in enumerate((t.get("spec") or {}).get("containers", [])):
            csc = c.get("securityContext") or {}
            at = f"{where}.spec.containers.{i}.securityContext"
            if csc.get("allowPrivilegeEscalation") is not False:
                probs.append(f"{at}.allowPrivilegeEscalation: must be false")
            if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
                probs.append(f"{at}.capabilities.drop: must include ALL")
            if csc.get("readOnlyRootFilesystem") is not True:
                probs.append(f"{at}.readOnlyRootFilesystem: must be true")
            if c.get("name") != "ray-job-submitter":
                for probe in ("livenessProbe", "readinessProbe"):
                    if not c.get(probe):
                        probs.append(f"{where}.spec.containers.{i}.{probe}: missing")
    autoscaler = cluster.get("autoscalerOptions") or {}
    if cluster.get("enableInTreeAutoscaling"):
        asc = autoscaler.get("securityContext") or {}
        if asc.get("allowPrivilegeEscalation") is not False or "ALL" not in ((asc.get("capabilities") or {})
                                                                               .get("drop") or []):
            probs.append(f"spec.{cluster_key}.autoscalerOptions.securityContext: must drop ALL capabilities and "
                         "forbid privilege escalation")
    return probs


def _check_network_policy(manifest: dict) -> list[str]:
    """What an API server would reject in a NetworkPolicy this module writes (the fields it uses)."""
    probs = []
    if manifest.get("apiVersion") != "networking.k8s.io/v1":
        probs.append(f"apiVersion: must be networking.k8s.io/v1 (got {manifest.get('apiVersion')!r})")
    spec = manifest.get("spec") or {}
    if not isinstance(spec.get("podSelector"), dict):
        probs.append("spec.podSelector: required (a label selector; {} selects every pod)")
    for t in spec.get("policyTypes", []):
        if t not in ("Ingress", "Egress"):
            probs.append(f"spec.policyTypes: must be Ingress or Egress (got {t!r})")
    for i, rule in enumerate(spec.get("ingress", [])):
        for j, port in enumerate(rule.get("ports", [])):
            pv = port.get("port")
            if port.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
                probs.append(f"spec.ingress.{i}.ports.{j}.protocol: must be TCP, UDP or SCTP")
            if not (isinstance(pv, str) or (isinstance(pv, int) and 1 <= pv <= 65535)):
                probs.append(f"spec.ingress.{i}.ports.{j}.port: must be a port number 1-65535 or a name (got {pv!r})")
        for j, peer in enumerate(rule.get("from", [])):
            if not set(peer) <= {"podSelector", "namespaceSelector", "ipBlock"} or not peer:
                probs.append(f"spec.ingress.{i}.from.{j}: a peer is podSelector/namespaceSelector or ipBlock")
    return probs


def validate(manifest: Any) -> list[str]:
    """Every problem with a KubeRay manifest or NetworkPolicy (a mapping), one line each naming the field.

    Empty when valid.
    """
    import jsonschema

    if not isinstance(manifest, dict):
        return [f"(root): a manifest must be a mapping (got {type(manifest).__name__})"]
    kind = manifest.get("kind")
    if kind == "NetworkPolicy":
        return _check_name(manifest) + _check_network_policy(manifest)
    if kind not in CRD_FILES:
        return [f"kind: must be one of {', '.join(CRD_FILES)} or NetworkPolicy (got {kind!r})"]
    probs: list[str] = []
    if manifest.get("apiVersion") != "ray.io/v1":
        probs.append(f"apiVersion: must be ray.io/v1 (got {manifest.get('apiVersion')!r})")
    probs.extend(_check_name(manifest))
    validator = jsonschema.Draft7Validator(crd_schema(kind))
    for err in sorted(validator.iter_errors(manifest), key=lambda e: (_path(e), e.message)):
        probs.append(f"{_path(err)}: {err.message}")
    spec = manifest.get("spec") or {}
    if kind == "RayService" and isinstance(spec.get("serveConfigV2"), str):
        probs.extend(_check_serve_config(spec["serveConfigV2"]))
    if kind == "RayJob" and isinstance(spec.get("entrypoint"), str):
        probs.extend(_check_entrypoint(spec["entrypoint"]))
    return probs


def _problems(fname: str, text: str) -> list[str]:
    probs = []
    for doc in yaml.safe_load_all(text):
        probs.extend(validate(doc))
        if isinstance(doc, dict) and doc.get("kind") in ("RayService", "RayJob"):
            probs.extend(hardening_problems(doc))
    return probs


def write(folder: Path | None = None) -> list[Path]:
    """Write :func:`rendered` into ``deploy/kuberay/`` (or ``folder``), after validating each; returns the paths."""
    folder = Path(folder) if folder else repo_root() / DEPLOY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for fname, text in rendered().items():
        probs = _problems(fname, text)
        if probs:
            raise MlopsbookError(f"{fname}: invalid manifest: " + "; ".join(probs))
        (folder / fname).write_text(text)
        out.append(folder / fname)
    return out


def check_files(folder: Path | None = None) -> list[str]:
    """Problems with the checked-in manifests: invalid, not hardened, or different from what the code generates."""
    folder = Path(folder) if folder else repo_root() / DEPLOY_DIR
    probs = []
    for fname, text in rendered().items():
        p = folder / fname
        if not p.is_file():
            probs.append(f"{p}: missing; run `mlopsbook engine manifests --write`")
            continue
        on_disk = p.read_text()
        try:
            probs.extend(f"{fname}: {pr}" for pr in _problems(fname, on_disk))
        except yaml.YAMLError as exc:
            probs.append(f"{fname}: not YAML ({' '.join(str(exc).split())})")
        if on_disk != text:
            probs.append(f"{fname}: differs from the generated manifest; run `mlopsbook engine manifests --write`")
    return probs

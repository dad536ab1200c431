"""KubeRay manifests for the two paths, built from the code that runs locally, and validated as a cluster would.

- :func:`rayservice` is the real-time path: a RayService whose ``serveConfigV2`` imports
  ``mlopsbook.rayengine.serve_app:app`` with the cluster autoscaling policy (:data:`serve_app.CLUSTER_SCALING`), on a
  RayCluster with a head group and an autoscaled CPU worker group (KubeRay's in-tree autoscaler adds worker pods when
  Serve asks for more replicas than fit).
- :func:`rayjob` is the bulk path: a RayJob whose entrypoint is ``mlopsbook engine bulk --day ...`` (the same command
  the Airflow DAG runs locally), on its own cluster that is deleted when the job finishes.

Both read and write the documents on a PersistentVolumeClaim mounted at ``/data`` (the claim's name is a
parameter); the image is a parameter too (``deploy/kuberay/Dockerfile`` builds it from this repository on Ray's
published image). No registry or bucket address is invented here.

:func:`validate` checks a manifest against the KubeRay CRD's OpenAPI v3 schema for its kind (``data/kuberay-crds/``,
version ``v1``), with unknown fields rejected as ``kubectl``'s default strict field validation does, plus what the
schema cannot express but an API server or the operator would reject: a metadata name that is not a DNS-1123 label,
a ``serveConfigV2`` that Ray Serve's own config schema rejects, a RayJob entrypoint that the ``mlopsbook`` CLI does
not accept. It returns every problem as one line naming the field; an empty list means valid.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mlopsbook.rayengine import serve_app
from mlopsbook.paths import data_path, repo_root

RAY_VERSION = "2.60.0"
"""The Ray version of the book's environment (``requirements.txt``); the cluster must run the same."""

CRD_FILES = {"RayService": "ray.io_rayservices.yaml", "RayJob": "ray.io_rayjobs.yaml",
             "RayCluster": "ray.io_rayclusters.yaml"}
DEPLOY_DIR = "deploy/kuberay"
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class ClusterShape:
    """Pods of a Ray cluster: image, head and worker resources (Kubernetes quantities), worker-group bounds."""

    image: str = "mlopsbook-engine:0.1.0"
    head_cpu: str = "1"
    head_memory: str = "4Gi"
    worker_cpu: str = "2"
    worker_memory: str = "4Gi"
    min_workers: int = 1
    max_workers: int = 4
    data_claim: str = "mlopsbook-data"

    def __post_init__(self) -> None:
        if not 0 <= self.min_workers <= self.max_workers:
            raise ValueError(f"min_workers, max_workers: need 0 <= min <= max (got {self.min_workers}, "
                             f"{self.max_workers})")
        if not self.image:
            raise ValueError("image: must not be empty")


def _container(name: str, shape: ClusterShape, cpu: str, memory: str, ports: list[dict[str, Any]]) -> dict:
    c: dict[str, Any] = {
        "name": name,
        "image": shape.image,
        "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}},
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
        "env": [{"name": "RAY_USAGE_STATS_ENABLED", "value": "0"}],
    }
    if ports:
        c["ports"] = ports
    return c


def _pod(container: dict, shape: ClusterShape) -> dict:
    return {"spec": {"containers": [container],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": shape.data_claim}}]}}


def ray_cluster_spec(shape: ClusterShape, *, autoscaling: bool, head_ports: list[dict[str, Any]]) -> dict:
    """A RayCluster spec: a head that schedules no work (``num-cpus: "0"``) and one CPU worker group."""
    head = _container("ray-head", shape, shape.head_cpu, shape.head_memory, head_ports)
    worker = _container("ray-worker", shape, shape.worker_cpu, shape.worker_memory, [])
    spec: dict[str, Any] = {
        "rayVersion": RAY_VERSION,
        "headGroupSpec": {"rayStartParams": {"num-cpus": "0"}, "template": _pod(head, shape)},
        "workerGroupSpecs": [{
            "groupName": "cpu-workers",
            "replicas": shape.min_workers,
            "minReplicas": shape.min_workers,
            "maxReplicas": shape.max_workers,
            "rayStartParams": {},
            "template": _pod(worker, shape),
        }],
    }
    if autoscaling:
        spec["enableInTreeAutoscaling"] = True
        # KubeRay's sample defaults (cloud-facts E4.10): remove a worker after 60 s idle, no rate limit on scale-up
        spec["autoscalerOptions"] = {"upscalingMode": "Default", "idleTimeoutSeconds": 60}
    return spec


def rayservice(shape: ClusterShape = ClusterShape(), scaling: serve_app.Scaling = serve_app.CLUSTER_SCALING,
               name: str = "nlp-realtime") -> dict:
    """The RayService of the real-time path (Serve on an autoscaling RayCluster)."""
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": "mlopsbook"}},
        "spec": {
            "serveConfigV2": yaml.safe_dump(serve_app.serve_config(scaling), sort_keys=False),
            "rayClusterConfig": ray_cluster_spec(shape, autoscaling=True, head_ports=[
                {"containerPort": 6379, "name": "gcs-server"}, {"containerPort": 8265, "name": "dashboard"},
                {"containerPort": 10001, "name": "client"}, {"containerPort": 8000, "name": "serve"}]),
        },
    }


def bulk_entrypoint(day: date | str, input_root: str = "/data/documents", output_root: str = "/data/scored") -> str:
    """The bulk job's command line (what the RayJob and the Airflow DAG run)."""
    d = day.isoformat() if isinstance(day, date) else str(day)
    return shlex.join(["mlopsbook", "engine", "bulk", "--day", d, "--input", input_root, "--output", output_root])


def rayjob(day: date | str, shape: ClusterShape = ClusterShape(), name: str | None = None) -> dict:
    """The RayJob of the bulk path for one day: its own cluster, deleted after the job; the driver runs on the head."""
    d = day.isoformat() if isinstance(day, date) else str(day)
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name or f"nlp-bulk-{d}", "labels": {"app.kubernetes.io/part-of": "mlopsbook"}},
        "spec": {
            "entrypoint": bulk_entrypoint(d),
            "submissionMode": "K8sJobMode",
            "shutdownAfterJobFinishes": True,
            "ttlSecondsAfterFinished": 600,
            "backoffLimit": 2,
            "rayClusterSpec": ray_cluster_spec(shape, autoscaling=False, head_ports=[
                {"containerPort": 6379, "name": "gcs-server"}, {"containerPort": 8265, "name": "dashboard"},
                {"containerPort": 10001, "name": "client"}]),
        },
    }


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
        raise ValueError(f"kind: must be one of {', '.join(CRD_FILES)} (got {kind!r})")
    crd = yaml.safe_load(data_path("kuberay-crds", CRD_FILES[kind]).read_text())
    versions = {v["name"]: v for v in crd["spec"]["versions"]}
    if "v1" not in versions:
        raise ValueError(f"{CRD_FILES[kind]}: no v1 version in the CRD")
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
    import contextlib
    import io

    from mlopsbook.cli import build_parser

    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            build_parser().parse_args(argv[1:])
    except SystemExit:
        last = err.getvalue().strip().splitlines()[-1:] or ["rejected"]
        return [f"spec.entrypoint: the CLI rejects it: {last[0]}"]
    return []


def validate(manifest: Any) -> list[str]:
    """Every problem with a KubeRay manifest (a mapping), one line each naming the field; empty when valid."""
    import jsonschema

    if not isinstance(manifest, dict):
        return [f"(root): a manifest must be a mapping (got {type(manifest).__name__})"]
    kind = manifest.get("kind")
    if kind not in CRD_FILES:
        return [f"kind: must be one of {', '.join(CRD_FILES)} (got {kind!r})"]
    probs: list[str] = []
    if manifest.get("apiVersion") != "ray.io/v1":
        probs.append(f"apiVersion: must be ray.io/v1 (got {manifest.get('apiVersion')!r})")
    name = (manifest.get("metadata") or {}).get("name")
    if not isinstance(name, str) or len(name) > 63 or not _DNS1123_LABEL.match(name):
        probs.append(f"metadata.name: must be a DNS-1123 label (lower-case alphanumerics and '-', at most 63; got "
                     f"{name!r})")
    validator = jsonschema.Draft7Validator(crd_schema(kind))
    for err in sorted(validator.iter_errors(manifest), key=lambda e: (_path(e), e.message)):
        probs.append(f"{_path(err)}: {err.message}")
    spec = manifest.get("spec") or {}
    if kind == "RayService" and isinstance(spec.get("serveConfigV2"), str):
        probs.extend(_check_serve_config(spec["serveConfigV2"]))
    if kind == "RayJob" and isinstance(spec.get("entrypoint"), str):
        probs.extend(_check_entrypoint(spec["entrypoint"]))
    return probs


# -- files -------------------------------------------------------------------------------------------------------------
EXAMPLE_DAY = date(2024, 1, 25)
"""The day of the checked-in RayJob example (the post's date); Airflow renders one per logical date."""

HEADER = ("# Generated by `mlopsbook engine manifests --write` from src/mlopsbook/rayengine/manifests.py; do not edit.\n"
          "# Validated against the KubeRay CRDs in data/kuberay-crds/ by tests/test_manifests.py.\n")


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings (the embedded Serve config) as readable literal blocks."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def dump(manifest: dict) -> str:
    """A manifest as YAML text (keys in construction order, the Serve config as a literal block)."""
    return yaml.dump(manifest, Dumper=_Dumper, sort_keys=False)


def rendered() -> dict[str, str]:
    """The checked-in manifest files, by name, as text."""
    return {"rayservice.yaml": HEADER + dump(rayservice()), "rayjob.yaml": HEADER + dump(rayjob(EXAMPLE_DAY))}


def write(folder: Path | None = None) -> list[Path]:
    """Write :func:`rendered` into ``deploy/kuberay/`` (or ``folder``), after validating each; returns the paths."""
    folder = Path(folder) if folder else repo_root() / DEPLOY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for fname, text in rendered().items():
        probs = validate(yaml.safe_load(text))
        if probs:
            raise ValueError(f"{fname}: invalid manifest:\n  " + "\n  ".join(probs))
        (folder / fname).write_text(text)
        out.append(folder / fname)
    return out


def check_files(folder: Path | None = None) -> list[str]:
    """Problems with the checked-in manifests: invalid, or different from what the code generates (stale)."""
    folder = Path(folder) if folder else repo_root() / DEPLOY_DIR
    probs = []
    for fname, text in rendered().items():
        p = folder / fname
        if not p.is_file():
            probs.append(f"{p}: missing; run `mlopsbook engine manifests --write`")
            continue
        on_disk = p.read_text()
        probs.extend(f"{fname}: {pr}" for pr in validate(yaml.safe_load(on_disk)))
        if on_disk != text:
            probs.append(f"{fname}: differs from the generated manifest; run `mlopsbook engine manifests --write`")
    return probs


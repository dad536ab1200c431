"""KubeRay manifests for the two paths, built from the code that runs locally, and validated as a cluster would.

- :func:`rayservice` is the real-time path: a RayService whose ``serveConfigV2`` imports
  ``mlopsbook.engine.serve_app:app`` with the cluster autoscaling policy (:func:`serve_app.cluster_scaling`), on a
  RayCluster with a head group and an autoscaled CPU worker group (KubeRay's in-tree autoscaler adds worker pods when
  Serve asks for more replicas than fit).
- :func:`rayjob` is the bulk path: a RayJob whose entrypoint is ``mlopsbook engine bulk --day ...`` (the same command
  the Airflow DAG runs locally), on its own cluster that is deleted when the job finishes.

Both read and write the documents on a PersistentVolumeClaim mounted at ``/data`` (the claim's name is a
parameter); the image is a parameter too (``deploy/kuberay/Dockerfile`` builds it from this repository on Ray's
published image). No registry or bucket address is invented here.

They are validated, written and compared with the checked-in files by :mod:`mlopsbook.engine.manifest_checks`.
"""


from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from mlopsbook import facts
from mlopsbook.errors import MlopsbookError
from mlopsbook.engine import serve_app
from mlopsbook.validation import check_choice


RAY_VERSION = "2.60.0"
"""The Ray version of the book's environment (``requirements.txt``); the cluster must run the same."""

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# Ray's ports (Ray's and KubeRay's defaults: ray-operator/controllers/ray/utils/constant.go)
GCS_PORT, DASHBOARD_PORT, CLIENT_PORT, SERVE_PORT = 6379, 8265, 10001, 8000
DASHBOARD_AGENT_PORT = 52365
"""The dashboard agent's HTTP port on every Ray pod: ``/api/healthz`` (raylet, and GCS on the head) is served there."""

TMP_MOUNT = "/tmp"  # nosec B108 - a mount path inside the container (an emptyDir volume), not a file here
"""Where each container gets a writable ``emptyDir`` (its root filesystem is read-only); Ray writes under /tmp/ray."""

RAY_UID, RAY_GID = 1000, 100
"""The ``ray`` user and ``users`` group of Ray's images (``rayproject/ray``), which own its Python environment."""

REALTIME_APP, BULK_APP = "nlp-realtime", "nlp-bulk"
"""``app.kubernetes.io/name`` of the real-time (RayService) and bulk (RayJob) pods: what the NetworkPolicies select."""


@dataclass(frozen=True)
class ClusterShape:
    """Pods of a Ray cluster: image, head and worker resources (Kubernetes quantities), worker-group bounds.

    ``namespace`` is where the RayService, RayJob and NetworkPolicies go (not ``default``); ``pull_policy`` is the
    image pull policy (``Always``: a node re-checks the registry's authorisation before reusing a cached image);
    ``read_only_root`` makes every container's root filesystem read-only (Ray writes only to ``/tmp``, an
    ``emptyDir`` here, and ``/dev/shm``, which KubeRay mounts); set it to ``False`` if your image writes elsewhere.
    """

    image: str = "mlopsbook-engine:0.1.0"
    head_cpu: str = "1"
    head_memory: str = "4Gi"
    worker_cpu: str = "2"
    worker_memory: str = "4Gi"
    min_workers: int = 1
    max_workers: int = 4
    data_claim: str = "mlopsbook-data"
    namespace: str = "mlopsbook"
    pull_policy: str = "Always"
    read_only_root: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.min_workers <= self.max_workers:
            raise MlopsbookError(f"min_workers, max_workers: need 0 <= min <= max (got {self.min_workers}, "
                                 f"{self.max_workers})")
        if not self.image:
            raise MlopsbookError("image: must not be empty")
        if not DNS1123_LABEL.match(self.namespace) or len(self.namespace) > 63:
            raise MlopsbookError(f"namespace: must be a DNS-1123 label (got {self.namespace!r})")
        check_choice(self.pull_policy, "pull_policy", ("Always", "IfNotPresent", "Never"))


# -- hardening ---------------------------------------------------------------------------------------------------------
def container_security_context(shape: ClusterShape) -> dict:
    """Every container: the image's non-root user, no privilege escalation, no capabilities, read-only root."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RAY_UID,
        "runAsGroup": RAY_GID,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": shape.read_only_root,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_security_context() -> dict:
    """Every pod: non-root, the image's user and group (also owning mounted volumes), seccomp ``RuntimeDefault``."""
    return {"runAsNonRoot": True, "runAsUser": RAY_UID, "runAsGroup": RAY_GID, "fsGroup": RAY_GID,
            "seccompProfile": {"type": "RuntimeDefault"}}


def _http_probe(path: str, port: int | str, *, initial: int, timeout: int, failures: int) -> dict:
    return {"httpGet": {"path": path, "port": port}, "initialDelaySeconds": initial, "timeoutSeconds": timeout,
            "periodSeconds": 5, "successThreshold": 1, "failureThreshold": failures}


def probes(head: bool, serve: bool) -> dict:
    """Liveness and readiness probes as KubeRay injects them for Ray >= 2.53 (``initLivenessAndReadinessProbe``).

    Both GET ``/api/healthz`` on the dashboard agent (raylet health; also the GCS on the head), which Ray exempts from
    token authentication. Liveness: 30 s initial delay, every 5 s, 120 failures; readiness: 10 s, every 5 s, 10
    failures; timeout 5 s on the head, 2 s on workers. A RayService worker is ready only when its Serve proxy answers
    ``/-/healthz`` on the Serve port (KubeRay's extra check there, failure threshold 1), so the Serve Service sends
    traffic only to pods that can take it. Written out here (KubeRay skips its own when a probe is set) so that they
    are reviewed and scanned with the rest of the pod.
    """
    timeout = 5 if head else 2
    out = {"livenessProbe": _http_probe("/api/healthz", DASHBOARD_AGENT_PORT, initial=30, timeout=timeout,
                                        failures=120)}
    if serve and not head:
        out["readinessProbe"] = _http_probe("/-/healthz", "serve", initial=10, timeout=timeout, failures=1)
    else:
        out["readinessProbe"] = _http_probe("/api/healthz", DASHBOARD_AGENT_PORT, initial=10, timeout=timeout,
                                            failures=10)
    return out


def _labels(app: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/component": component,
            "app.kubernetes.io/part-of": "mlopsbook"}


def _container(name: str, shape: ClusterShape, cpu: str, memory: str, ports: list[dict[str, Any]],
               head: bool, serve: bool) -> dict:
    c: dict[str, Any] = {
        "name": name,
        "image": shape.image,
        "imagePullPolicy": shape.pull_policy,
        "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}},
        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": TMP_MOUNT}],
        "env": [{"name": "RAY_USAGE_STATS_ENABLED", "value": "0"}],
        "securityContext": container_security_context(shape),
        **probes(head, serve),
    }
    if ports:
        c["ports"] = ports
    return c


def _pod(container: dict, shape: ClusterShape, labels: dict[str, str], service_account_token: bool) -> dict:
    return {"metadata": {"labels": labels},
            "spec": {"automountServiceAccountToken": service_account_token,
                     "securityContext": pod_security_context(),
                     "containers": [container],
                     "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": shape.data_claim}},
                                 {"name": "tmp", "emptyDir": {}}]}}


def _ports(serve: bool) -> list[dict[str, Any]]:
    ports = [{"containerPort": GCS_PORT, "name": "gcs-server"}, {"containerPort": DASHBOARD_PORT, "name": "dashboard"},
             {"containerPort": CLIENT_PORT, "name": "client"}]
    return ports + ([{"containerPort": SERVE_PORT, "name": "serve"}] if serve else [])


def ray_cluster_spec(shape: ClusterShape, *, app: str, autoscaling: bool, serve: bool) -> dict:
    """A RayCluster spec: token authentication, hardened pods, a head that schedules no work, one CPU worker group.

    ``authOptions.mode: token`` makes the KubeRay operator create a Secret holding a random token (named after the
    RayCluster) and set ``RAY_AUTH_MODE=token`` and ``RAY_AUTH_TOKEN`` (from that Secret) in every Ray container, the
    autoscaler and the job submitter; the operator sends the token to the dashboard itself. Only the head of an
    autoscaling cluster keeps a service-account token (the autoscaler sidecar calls the Kubernetes API with it).
    """
    head = _container("ray-head", shape, shape.head_cpu, shape.head_memory, _ports(serve), head=True, serve=serve)
    worker_ports = [{"containerPort": SERVE_PORT, "name": "serve"}] if serve else []
    worker = _container("ray-worker", shape, shape.worker_cpu, shape.worker_memory, worker_ports, head=False,
                        serve=serve)
    spec: dict[str, Any] = {
        "rayVersion": RAY_VERSION,
        "authOptions": {"mode": "token"},
        "headGroupSpec": {"rayStartParams": {"num-cpus": "0"},
                          "template": _pod(head, shape, _labels(app, "ray-head"), service_account_token=autoscaling)},
        "workerGroupSpecs": [{
            "groupName": "cpu-workers",
            "replicas": shape.min_workers,
            "minReplicas": shape.min_workers,
            "maxReplicas": shape.max_workers,
            "rayStartParams": {},
            "template": _pod(worker, shape, _labels(app, "ray-worker"), service_account_token=False),
        }],
    }
    if autoscaling:
        spec["enableInTreeAutoscaling"] = True
        # KubeRay's sample defaults (kuberay.autoscaler.idle_timeout_s): remove an idle worker, no rate limit on scale-up;
        # the autoscaler sidecar's resources are KubeRay's defaults, written out, and it is hardened like the rest
        spec["autoscalerOptions"] = {
            "upscalingMode": "Default", "idleTimeoutSeconds": facts.integer("kuberay.autoscaler.idle_timeout_s"),
            "imagePullPolicy": shape.pull_policy,
            "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                          "limits": {"cpu": "500m", "memory": "512Mi"}},
            "securityContext": container_security_context(shape),
        }
    return spec


def rayservice(shape: ClusterShape = ClusterShape(), scaling: serve_app.Scaling | None = None,
               name: str = "nlp-realtime") -> dict:
    """The RayService of the real-time path (Serve on an autoscaling RayCluster, token authentication on), with
    ``scaling`` (default :func:`serve_app.cluster_scaling`)."""
    scaling = serve_app.cluster_scaling() if scaling is None else scaling
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": name, "namespace": shape.namespace, "labels": {"app.kubernetes.io/part-of": "mlopsbook"}},
        "spec": {
            "serveConfigV2": yaml.safe_dump(serve_app.serve_config(scaling), sort_keys=False),
            "rayClusterConfig": ray_cluster_spec(shape, app=REALTIME_APP, autoscaling=True, serve=True),
        },
    }


def bulk_entrypoint(day: date | str, input_root: str = "/data/documents", output_root: str = "/data/scored") -> str:
    """The bulk job's command line (what the RayJob and the Airflow DAG run)."""
    d = day.isoformat() if isinstance(day, date) else str(day)
    return shlex.join(["mlopsbook", "engine", "bulk", "--day", d, "--input", input_root, "--output", output_root])


def submitter_template(shape: ClusterShape) -> dict:
    """The RayJob's submitter pod (K8sJobMode), hardened like the Ray pods.

    KubeRay fills in the container's command (``ray job submit ...``) and the token; the resources are KubeRay's
    defaults for its own submitter (``GetDefaultSubmitterContainer``), written out. It runs to completion and listens
    on no port, so it has no probes (see ``deploy/SECURITY.md``).
    """
    container = {
        "name": "ray-job-submitter",
        "image": shape.image,
        "imagePullPolicy": shape.pull_policy,
        "resources": {"requests": {"cpu": "500m", "memory": "200Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
        "volumeMounts": [{"name": "tmp", "mountPath": TMP_MOUNT}],
        "securityContext": container_security_context(shape),
    }
    return {"metadata": {"labels": _labels(BULK_APP, "ray-job-submitter")},
            "spec": {"automountServiceAccountToken": False, "securityContext": pod_security_context(),
                     "restartPolicy": "Never", "containers": [container],
                     "volumes": [{"name": "tmp", "emptyDir": {}}]}}


def rayjob(day: date | str, shape: ClusterShape = ClusterShape(), name: str | None = None) -> dict:
    """The RayJob of the bulk path for one day: its own cluster, deleted after the job; the driver runs on the head."""
    d = day.isoformat() if isinstance(day, date) else str(day)
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name or f"nlp-bulk-{d}", "namespace": shape.namespace,
                     "labels": {"app.kubernetes.io/part-of": "mlopsbook"}},
        "spec": {
            "entrypoint": bulk_entrypoint(d),
            "submissionMode": "K8sJobMode",
            "shutdownAfterJobFinishes": True,
            "ttlSecondsAfterFinished": 600,
            "backoffLimit": 2,
            "submitterPodTemplate": submitter_template(shape),
            "rayClusterSpec": ray_cluster_spec(shape, app=BULK_APP, autoscaling=False, serve=False),
        },
    }


# -- network policy ----------------------------------------------------------------------------------------------------
KUBERAY_OPERATOR_LABELS = {"app.kubernetes.io/name": "kuberay-operator"}
"""Labels of the KubeRay operator's pod (its Helm chart's ``app.kubernetes.io/name``)."""


def network_policy(app: str, namespace: str, operator_namespace: str, serve: bool) -> dict:
    """Ingress to one app's Ray pods: all ports from its own pods, the dashboard from the operator, Serve from anyone.

    Ray's internal ports (GCS, raylet, object manager, workers, dashboard, client) are admitted only from pods of the
    same app (its head, workers and, for the RayJob, the submitter); the KubeRay operator's pod (in
    ``operator_namespace``) may reach the dashboard, which it uses to deploy Serve applications and follow jobs; a
    RayService also admits client traffic from anywhere, but only to the Serve port. Everything else is dropped by
    the cluster's network plugin (one that enforces NetworkPolicy, e.g. Calico or Cilium). Egress is not restricted.
    """
    ingress: list[dict[str, Any]] = [
        {"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": app}}}]},
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": operator_namespace}},
                   "podSelector": {"matchLabels": dict(KUBERAY_OPERATOR_LABELS)}}],
         "ports": [{"protocol": "TCP", "port": DASHBOARD_PORT}]},
    ]
    if serve:
        ingress.append({"ports": [{"protocol": "TCP", "port": SERVE_PORT}]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"{app}-ray", "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "mlopsbook"}},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": app}}, "policyTypes": ["Ingress"],
                 "ingress": ingress},
    }


def network_policies(shape: ClusterShape = ClusterShape(), operator_namespace: str = "kuberay-system") -> list[dict]:
    """The NetworkPolicies of both paths (real-time: Serve port open; bulk: nothing open to clients)."""
    if not DNS1123_LABEL.match(operator_namespace) or len(operator_namespace) > 63:
        raise MlopsbookError(f"operator_namespace: must be a DNS-1123 label (got {operator_namespace!r})")
    return [network_policy(REALTIME_APP, shape.namespace, operator_namespace, serve=True),
            network_policy(BULK_APP, shape.namespace, operator_namespace, serve=False)]


# -- the pods the operator creates (for scanners) ----------------------------------------------------------------------
def _auth_env(secret: str) -> list[dict]:
    return [{"name": "RAY_AUTH_MODE", "value": "token"},
            {"name": "RAY_AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": secret, "key": "auth_token"}}}]


def pods(manifest: dict) -> list[dict]:
    """The pod templates of a RayService or RayJob as plain ``v1`` Pods, with what the operator adds for security.

    Kubernetes policy scanners (checkov, kube-score, ...) only see pods in core kinds, not inside a custom resource;
    this gives them the pods KubeRay would create: each group's template (head, each worker group, the RayJob's
    submitter) with the token environment the operator injects from its Secret (``authOptions``), and on an
    autoscaling head the autoscaler sidecar as ``autoscalerOptions`` configures it. Not injected here: KubeRay's
    ``/dev/shm`` and log volumes and its start command, which carry no security settings.
    """
    import copy

    kind = manifest.get("kind")
    spec = manifest.get("spec") or {}
    cluster = spec.get("rayClusterConfig") if kind == "RayService" else spec.get("rayClusterSpec")
    if kind not in ("RayService", "RayJob") or not isinstance(cluster, dict):
        raise MlopsbookError(f"kind: pods() needs a RayService or RayJob (got {kind!r})")
    meta = manifest["metadata"]
    auth = cluster.get("authOptions") or {}
    token = auth.get("mode", "token") == "token" and "authOptions" in cluster
    secret = auth.get("secretName") or f"{meta['name']}-raycluster"
    groups = [("head", cluster["headGroupSpec"]["template"])]
    groups += [(g["groupName"], g["template"]) for g in cluster.get("workerGroupSpecs", [])]
    if kind == "RayJob" and spec.get("submitterPodTemplate"):
        groups.append(("submitter", spec["submitterPodTemplate"]))
    out = []
    for role, template in groups:
        t = copy.deepcopy(template)
        pod_spec = t.get("spec", {})
        if token:
            c = pod_spec["containers"][0]
            c["env"] = c.get("env", []) + _auth_env(secret)
        if role == "head" and cluster.get("enableInTreeAutoscaling"):
            opts = cluster.get("autoscalerOptions") or {}
            sidecar = {"name": "autoscaler", "image": opts.get("image", pod_spec["containers"][0]["image"]),
                       "imagePullPolicy": opts.get("imagePullPolicy", "IfNotPresent"),
                       "resources": opts.get("resources", {}), "securityContext": opts.get("securityContext", {}),
                       "env": _auth_env(secret) if token else []}
            pod_spec["containers"].append({k: v for k, v in sidecar.items() if v})
        out.append({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": f"{meta['name']}-{role}", "namespace": meta.get("namespace", "default"),
                                 "labels": dict((t.get("metadata") or {}).get("labels", {}))},
                    "spec": pod_spec})
    return out


# -- files -------------------------------------------------------------------------------------------------------------
EXAMPLE_DAY = date(2024, 1, 25)
"""The day of the checked-in RayJob example (the post's date); Airflow renders one per logical date."""

HEADER = ("# Generated by `mlopsbook engine manifests --write` from src/mlopsbook/engine/manifests.py; do not edit.\n"
          "# Validated against the KubeRay CRDs in data/kuberay-crds/ by tests/unit/test_manifests.py.\n")


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings (the embedded Serve config) as readable literal blocks."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def dump(manifest: dict) -> str:
    """A manifest as YAML text (keys in construction order, the Serve config as a literal block)."""
    return yaml.dump(manifest, Dumper=_Dumper, sort_keys=False)


def _dump_all(docs: list[dict]) -> str:
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False)


def rendered() -> dict[str, str]:
    """The checked-in manifest files, by name, as text."""
    return {"rayservice.yaml": HEADER + dump(rayservice()), "rayjob.yaml": HEADER + dump(rayjob(EXAMPLE_DAY)),
            "networkpolicy.yaml": HEADER + _dump_all(network_policies())}

"""The real-time path: a Ray Serve application answering document classification and NER over HTTP.

``POST /classify``, ``POST /entities`` and ``POST /score`` (both) take a JSON body ``{"text": "..."}`` and answer JSON.
Input is validated by the model module's own :func:`mlopsbook.nlp.service.validate_document` (the same check the
Lambda handlers use): an invalid body gets its 4xx status and ``{"error": message}``; an unknown path gets 404, a
method other than POST 405. ``GET /healthz`` answers ``{"status": "ok"}``. The models are
:func:`mlopsbook.nlp.service.load_models`, loaded once per replica: the bulk path (:mod:`mlopsbook.engine.bulk`)
calls the same functions.

Autoscaling follows the post's setup (Serve on KubeRay scaling replicas with load). Two presets, the same policy with
different clocks: :func:`cluster_scaling` uses Ray Serve's documented defaults (the ``ray.serve.*`` facts of
``data/facts/``: target ongoing requests per replica, ``max_ongoing_requests``, upscale and downscale delays, metrics
interval and look-back), with up to 4 replicas; :func:`local_scaling` shortens the clocks so that a scale-up fits in a
few seconds of bounded load on a 2-core machine (1 s metrics, 2 s look-back, 1 s upscale delay), with at most 2 replicas.

The module-level :data:`app` is what a RayService's ``serveConfigV2`` imports (``mlopsbook.engine.serve_app:app``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any

from mlopsbook import facts
from mlopsbook.errors import MlopsbookError

DEPLOYMENT = "NLPService"
"""Name of the Serve deployment (what ``serve.status()`` reports on)."""

APP_NAME = "nlp"
"""Name of the Serve application."""

ROUTES = ("classify", "entities", "score")
"""The model operations served, one per path."""


@dataclass(frozen=True)
class Scaling:
    """A Serve autoscaling policy (the fields of Ray's ``autoscaling_config``; times in seconds)."""

    min_replicas: int
    max_replicas: int
    target_ongoing_requests: float
    max_ongoing_requests: int
    upscale_delay_s: float
    downscale_delay_s: float
    metrics_interval_s: float
    look_back_period_s: float
    replica_num_cpus: float

    def __post_init__(self) -> None:
        if not 1 <= self.min_replicas <= self.max_replicas:
            raise MlopsbookError(f"min_replicas, max_replicas: need 1 <= min <= max (got {self.min_replicas}, "
                             f"{self.max_replicas})")
        if not 0 < self.target_ongoing_requests <= self.max_ongoing_requests:
            raise MlopsbookError(f"target_ongoing_requests: must be in (0, max_ongoing_requests={self.max_ongoing_requests}]"
                             f" (got {self.target_ongoing_requests})")
        for name in ("upscale_delay_s", "downscale_delay_s", "metrics_interval_s", "look_back_period_s",
                     "replica_num_cpus"):
            if getattr(self, name) <= 0:
                raise MlopsbookError(f"{name}: must be > 0 (got {getattr(self, name)})")

    def autoscaling_config(self) -> dict[str, Any]:
        """The ``autoscaling_config`` mapping Ray Serve takes (deployment option or ``serveConfigV2`` field)."""
        d = asdict(self)
        for k in ("max_ongoing_requests", "replica_num_cpus"):
            d.pop(k)
        return d

    def deployment_options(self) -> dict[str, Any]:
        """Options for ``NLPService.options(...)`` / a ``serveConfigV2`` deployment entry."""
        return {
            "max_ongoing_requests": self.max_ongoing_requests,
            "autoscaling_config": self.autoscaling_config(),
            "ray_actor_options": {"num_cpus": self.replica_num_cpus},
        }


@lru_cache(maxsize=1)
def cluster_scaling() -> Scaling:
    """Ray Serve's documented defaults (the ``ray.serve.*`` facts), up to 4 replicas of one CPU each: the KubeRay
    RayService (also :data:`CLUSTER_SCALING`)."""
    return Scaling(
        min_replicas=1, max_replicas=4,
        target_ongoing_requests=facts.integer("ray.serve.target_ongoing_requests"),
        max_ongoing_requests=facts.integer("ray.serve.max_ongoing_requests"),
        upscale_delay_s=facts.integer("ray.serve.upscale_delay_s"),
        downscale_delay_s=facts.integer("ray.serve.downscale_delay_s"),
        metrics_interval_s=facts.integer("ray.serve.metrics_interval_s"),
        look_back_period_s=facts.integer("ray.serve.look_back_period_s"),
        replica_num_cpus=1)


def local_scaling() -> Scaling:
    """The same policy on short clocks for a bounded local demo on 2 CPUs (two half-CPU replicas fit beside the
    proxy; also :data:`LOCAL_SCALING`)."""
    return replace(cluster_scaling(), max_replicas=2, upscale_delay_s=1, downscale_delay_s=60, metrics_interval_s=1,
                   look_back_period_s=2, replica_num_cpus=0.5)


def _error(status: int, message: str):  # noqa: ANN202 - starlette response
    from starlette.responses import JSONResponse

    return JSONResponse({"error": message}, status_code=status)


def _make_deployment():  # noqa: ANN202 - a Ray Serve Deployment
    from ray import serve

    @serve.deployment(name=DEPLOYMENT, **local_scaling().deployment_options())
    class NLPService:
        """One replica: both models loaded once; JSON in, JSON out."""

        def __init__(self, model_dir: str | None = None) -> None:
            from pathlib import Path

            from mlopsbook.nlp import service

            self._service = service
            self._models = service.load_models(Path(model_dir) if model_dir else None)

        async def __call__(self, request):  # noqa: ANN001, ANN204 - starlette Request -> Response
            from starlette.responses import JSONResponse

            path = request.url.path.strip("/")
            if path == "healthz" and request.method == "GET":
                return JSONResponse({"status": "ok"})
            if path not in ROUTES:
                return _error(404, f"unknown path /{path}; use POST /classify, /entities or /score")
            if request.method != "POST":
                return _error(405, f"/{path} accepts POST only (got {request.method})")
            raw = await request.body()
            try:
                payload = json.loads(raw) if raw else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                return _error(400, "body is not valid JSON; send {\"text\": \"...\"}")
            try:
                text = self._service.validate_document(payload)
            except self._service.InvalidRequest as exc:
                return _error(exc.status_code, exc.message)
            if path == "classify":
                out: Any = self._models.classify([text])[0]
            elif path == "entities":
                out = {"entities": self._models.entities([text])[0]}
            else:
                out = self._models.score([text])[0]
            return JSONResponse(out)

    return NLPService


def build(scaling: Scaling | None = None, model_dir: str | None = None):  # noqa: ANN201 - serve Application
    """The Serve application with the given autoscaling policy (default :func:`local_scaling`; a bound deployment
    for ``serve.run``)."""
    scaling = local_scaling() if scaling is None else scaling
    return _make_deployment().options(**scaling.deployment_options()).bind(model_dir)


def build_fixed(replicas: int, replica_num_cpus: float = 1.0, max_replicas_per_node: int | None = 1,
                model_dir: str | None = None):  # noqa: ANN201 - serve Application
    """The application with a fixed number of replicas (no autoscaling), each reserving ``replica_num_cpus``.

    ``max_replicas_per_node=1`` spreads the replicas over nodes (Ray Serve's ``max_replicas_per_node``): on a cluster
    of one-CPU worker nodes, one replica per node, so that losing a node loses exactly one replica.
    """
    if replicas < 1:
        raise MlopsbookError(f"replicas: must be >= 1 (got {replicas})")
    opts: dict[str, Any] = {"num_replicas": replicas, "autoscaling_config": None,
                            "ray_actor_options": {"num_cpus": replica_num_cpus}}
    if max_replicas_per_node is not None:
        opts["max_replicas_per_node"] = max_replicas_per_node
    return _make_deployment().options(**opts).bind(model_dir)


def serve_config(scaling: Scaling | None = None, import_path: str = "mlopsbook.engine.serve_app:app") -> dict:
    """The ``serveConfigV2`` mapping of a RayService (Ray's Serve config file format) for this application, with
    ``scaling`` (default :func:`cluster_scaling`).

    The deployment options in it override the decorator's: this is where a cluster's policy is set.
    """
    scaling = cluster_scaling() if scaling is None else scaling
    return {
        "applications": [{
            "name": APP_NAME,
            "route_prefix": "/",
            "import_path": import_path,
            "deployments": [{"name": DEPLOYMENT, **scaling.deployment_options()}],
        }],
    }


def __getattr__(name: str):  # noqa: ANN202 - lazy module attributes: importing this module imports no Ray, reads no fact
    if name == "app":
        return build(local_scaling())
    if name == "CLUSTER_SCALING":
        return cluster_scaling()
    if name == "LOCAL_SCALING":
        return local_scaling()
    raise AttributeError(name)


def with_min_replicas(scaling: Scaling, n: int) -> Scaling:
    """``scaling`` with ``min_replicas`` raised to ``n`` (e.g. to hold two replicas while one is killed)."""
    return replace(scaling, min_replicas=n, max_replicas=max(n, scaling.max_replicas))

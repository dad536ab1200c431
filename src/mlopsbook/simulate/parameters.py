"""Platform parameters with provenance, loaded from ``data/simulate/platform-parameters-2026-11-28.yaml``.

Every default of the simulator (Ray Serve autoscaling, node start-up, failure detection, Lambda) comes from that file.
A value written ``fact:<id>`` is a vendor default or limit read from the registry (:mod:`mlopsbook.facts`); the
others (ranges drawn from several sources, measured start-up times) cite their sources there. Durations are in
seconds.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from mlopsbook import facts
from mlopsbook.errors import MlopsbookError
from mlopsbook.paths import data_path

PARAMETERS_FILE = "platform-parameters-2026-11-28.yaml"
"""The dated parameter file (a new input gets a new name, so the notebook cache sees a code change)."""


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The parameter file as a mapping; raises ``FileNotFoundError`` naming it when missing."""
    path = data_path("simulate", PARAMETERS_FILE)
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for key in ("ray_serve_autoscaling", "node_startup", "failure_detection", "lambda", "kuberay"):
        if key not in data:
            raise KeyError(f"{path.name}: missing section {key!r}")
    return _resolve(data)


def _resolve(node: Any) -> Any:
    """``node`` with every ``fact:<id>`` string replaced by the registry's value: a float for a quantity in seconds
    or a fraction, an int for a whole count."""
    if isinstance(node, dict):
        return {k: _resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    if isinstance(node, str) and node.startswith("fact:"):
        fid = node[len("fact:"):]
        x = facts.number(fid)
        return int(x) if x == int(x) and facts.fact(fid).unit not in ("s", "ratio") else x
    return node


def section(name: str) -> dict[str, Any]:
    """One section of the parameter file (a copy)."""
    data = load()
    if name not in data:
        raise KeyError(f"{PARAMETERS_FILE}: no section {name!r} (have {', '.join(data)})")
    return dict(data[name])


def range_s(value: Any, where: str) -> tuple[float, float]:
    """A ``[lo, hi]`` duration range from the file, checked (``0 <= lo <= hi``)."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise MlopsbookError(f"{PARAMETERS_FILE}: {where} must be [lo, hi] in seconds (got {value!r})") from None
    if not 0 <= lo <= hi:
        raise MlopsbookError(f"{PARAMETERS_FILE}: {where} must satisfy 0 <= lo <= hi (got {value!r})")
    return lo, hi

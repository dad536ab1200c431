"""The post's workload: its NLP services as measured by the CPU-inference reproduction, from a dated record.

Timings vary between machines and runs; the models whose outputs the book compares strictly (cost curves, the
decision matrix, the simulator's workload) read the committed record :data:`RECORDED_PROFILE` instead of a fresh
measurement, so a build elsewhere shows the same figures. The record is read when first used, never at import, and a
record made on other model code is reported there, in one line (:class:`~mlopsbook.errors.StaleMeasurementError`),
without stopping commands that do not need it. Re-record with ``mlopsbook infer measure --refresh --record`` (under a
new date: the notebook cache keys on code, so the file name carries the version).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mlopsbook.costs import model as cost_model
from mlopsbook.costs.model import ModelProfile
RECORDED_PROFILE = "measured-profile-2026-11-30.json"
"""The committed measurement of the post's services in ``data/inference/``."""


def recorded() -> dict[str, Any]:
    """The committed measurement (:data:`RECORDED_PROFILE`), checked against the current model code."""
    from mlopsbook.nlp import measure

    return measure.recorded_profile(RECORDED_PROFILE)


@lru_cache(maxsize=1)
def post_model() -> ModelProfile:
    """The post's workload as a :class:`~mlopsbook.costs.model.ModelProfile`: the median per-request time of both
    models on a one-page document on one core, the INIT of both functions measured in AWS's runtime client on one core
    (``init_source`` of the record), and Lambda at 1,769 MB (one vCPU, fact A8, as emulated). Loaded once per
    process."""
    rec = recorded()
    return ModelProfile(
        name="the post's NLP services on CPU (classification + NER), measured",
        cpu_ms=round(float(rec["duration_ms"]), 1),
        init_ms=float(round(float(rec["init_ms"]), -1)),
        lambda_memory_mb=cost_model.LAMBDA_MB_PER_VCPU,
        source=(f"measured on {rec['provenance']['measured_on']} ({rec['provenance']['machine']}): "
                f"data/inference/{RECORDED_PROFILE}"
                + (f"; INIT from {rec['init_source']}" if rec.get("init_source") else "")),
    )

"""Verdicts on the post's claims C1 (one setup for bulk and real-time inference) and C2 (Airflow made the bulk
pipelines idempotent), computed from the measurements of :mod:`mlopsbook.lab.experiments`.

Only facts decide, never timings: a verdict's text and figures are the same on every run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mlopsbook.errors import MlopsbookError
from mlopsbook.lab.experiments import Answer, BulkDay, DagRun, ReplicaKill, ScaleUp
from mlopsbook.lab.load import LoadResult
from mlopsbook.publishing.claims import Status, Verdict

LOCAL_CONDITIONS = ("shown on one local Ray cluster (one node, 2 CPUs) running the same Serve application and Ray "
                    "Data job that the KubeRay RayService and RayJob in deploy/kuberay/ run; those manifests validate "
                    "against the KubeRay v1 CRDs but were not applied to a Kubernetes cluster here, so node "
                    "provisioning on EKS is not part of this evidence")


def c1_facts(answer: Answer, scale: ScaleUp, kill: ReplicaKill, bulk_day: BulkDay,
             manifest_problems: list[str]) -> dict[str, bool]:
    """The facts C1 rests on, each true or false."""
    return {
        "an HTTP request was answered": answer.status == 200,
        "the bulk job scored every document": bulk_day.first.output_rows == bulk_day.first.input_rows > 0,
        "both paths gave identical answers": bulk_day.n_compared > 0 and bulk_day.n_equal_to_http == bulk_day.n_compared,
        "Serve scaled from 1 to 2 replicas under load": scale.max_replicas >= 2,
        "a killed replica failed no more requests than were in flight": kill.failed <= kill.in_flight_bound,
        "two replicas ran again after the kill": not math.isnan(kill.t_recovered_s),
        "the KubeRay manifests validate": not manifest_problems,
    }


def verdict_c1(answer: Answer, scale: ScaleUp, kill: ReplicaKill, bulk_day: BulkDay,
               manifest_problems: list[str]) -> Verdict:
    """C1: one Ray Serve on KubeRay setup served both bulk distributed and real-time inference."""
    facts = c1_facts(answer, scale, kill, bulk_day, manifest_problems)
    failed = [k for k, ok in facts.items() if not ok]
    figures = {"documents_compared": bulk_day.n_compared, "documents_identical": bulk_day.n_equal_to_http,
               "bulk_documents": bulk_day.first.output_rows, "max_replicas": scale.max_replicas,
               "requests_in_flight_bound": kill.in_flight_bound, "facts_holding": len(facts) - len(failed),
               "facts_checked": len(facts)}
    if failed:
        return Verdict("C1", Status.REFUTED, "On the real engine, these did not hold: " + "; ".join(failed) + ".",
                       figures=figures)
    return Verdict(
        "C1", Status.HOLDS_UNDER_CONDITIONS,
        f"One Ray cluster served both paths with one model module: the Serve application answered over HTTP while "
        f"a Ray Data job on the same cluster scored a day's {bulk_day.first.output_rows} documents, and the two "
        f"paths gave identical labels, scores and entities for {bulk_day.n_equal_to_http} of "
        f"{bulk_day.n_compared} documents compared. Under bounded load Serve scaled from 1 to "
        f"{scale.max_replicas} replicas; a replica killed under load failed no more requests than the "
        f"{kill.in_flight_bound} in flight, and Serve brought the replica count back.",
        conditions=LOCAL_CONDITIONS, figures=figures)


def verdict_c2(bulk_day: BulkDay, dag: DagRun) -> Verdict:
    """C2: Airflow integration made the bulk pipelines idempotent."""
    same_job = bulk_day.first.digest == bulk_day.second.digest
    same_dag = dag.returncode == 0 and dag.state == "success" and dag.partition_digest == bulk_day.first.digest
    figures = {"documents": bulk_day.first.output_rows, "rerun_identical": int(same_job),
               "airflow_rerun_identical": int(same_dag)}
    if not (same_job and same_dag):
        what = [] if same_job else ["a re-run of the job changed the partition"]
        what += [] if same_dag else [f"the Airflow run ended {dag.state} (exit {dag.returncode}) or changed it"]
        return Verdict("C2", Status.REFUTED, "Re-running a date was not idempotent: " + "; ".join(what) + ".",
                       figures=figures)
    return Verdict(
        "C2", Status.HOLDS_UNDER_CONDITIONS,
        f"Re-running a date, directly and through the Airflow DAG (Airflow 3.3.2, `airflow dags test`), replaced "
        f"the day's partition of {bulk_day.first.output_rows} scored documents with byte-identical files and no "
        f"duplicates; the tests also kill the job half-way (the published partition stays as it was, the re-run "
        f"gives exactly a clean run's output) and run two dates (two partitions).",
        conditions=("the job itself is idempotent: output keyed by the logical date, written to a staging folder and "
                    "moved into place atomically, so a re-run replaces. Airflow supplies the per-date runs, retries "
                    "and visibility; re-running an appending job from Airflow would duplicate rows"),
        figures=figures)


# -- the engine page's run, as the post shows it ---------------------------------------------------------------------
DOCUMENT = ("This lease is made between Harbour Logistics Limited and the Tenant and is governed by the law of "
            "Scotland. The rent is £12,000 payable from 12 March 2024.")
"""The document sent to the Serve application in the one-request check."""
ENGINE_PAGE = "notebooks/engineering-culture-leadership/engine"
"""The page that runs the live experiments; the post shows its run's verdicts instead of running them again."""
EVIDENCE_MIME = "application/vnd.mlopsbook.engine-evidence+json"
"""The output of the engine page that carries :class:`Evidence` (kept in the page's snapshot)."""


def _frame_json(df: pd.DataFrame) -> dict[str, list[Any]]:
    return {str(c): [None if isinstance(v, float) and math.isnan(v) else v for v in df[c].tolist()] for c in df.columns}


def _num(v: float) -> float | None:
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class Evidence:
    """What the post shows of the engine page's run: the verdicts on C1 and C2 and the scale-up it plots.

    The engine page displays it (its snapshot keeps it, :data:`EVIDENCE_MIME`); the post reads it from there
    (:func:`read_evidence`), so the live experiments run once, on the engine page, and the post's cards say when and
    where that run happened (``Verdict.evidence_page``)."""

    c1: Verdict
    c2: Verdict
    scale: ScaleUp

    @classmethod
    def of(cls, answer: Answer, scale: ScaleUp, kill: ReplicaKill, bulk_day: BulkDay, manifest_problems: list[str],
           dag: DagRun) -> "Evidence":
        return cls(replace(verdict_c1(answer, scale, kill, bulk_day, manifest_problems), evidence_page=ENGINE_PAGE),
                   replace(verdict_c2(bulk_day, dag), evidence_page=ENGINE_PAGE), scale)

    def to_json(self) -> dict[str, Any]:
        s = self.scale
        return {"c1": self.c1.record(), "c2": self.c2.record(),
                "scale": {"requests": _frame_json(s.load.requests), "concurrency": s.load.concurrency,
                          "duration_s": s.load.duration_s, "replicas": _frame_json(s.replicas),
                          "max_replicas": s.max_replicas, "t_two_running_s": _num(s.t_two_running_s)}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Evidence":
        s = data["scale"]
        t_two = s["t_two_running_s"]
        load_result = LoadResult(pd.DataFrame(s["requests"]), s["concurrency"], s["duration_s"], 0.0)
        scale = ScaleUp(load_result, pd.DataFrame(s["replicas"]), s["max_replicas"],
                        float("nan") if t_two is None else t_two)
        return cls(Verdict.from_record(data["c1"]), Verdict.from_record(data["c2"]), scale)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": f"The evidence the post shows for {self.c1.claim_id} and {self.c2.claim_id}",
                EVIDENCE_MIME: self.to_json()}


def read_evidence(root: Path | None = None) -> Evidence:
    """The :class:`Evidence` the engine page's committed snapshot displays; a one-line error naming the command that
    makes it when the snapshot or the output is missing."""
    from mlopsbook.paths import repo_root
    from mlopsbook.publishing.snapshots import snapshot_path

    root = root or repo_root()
    snap = snapshot_path(root / f"{ENGINE_PAGE}.md", root)
    hint = f"run `make snapshots NB={ENGINE_PAGE}.md`"
    if not snap.is_file():
        raise MlopsbookError(f"{snap.relative_to(root)}: missing, so the engine's evidence is unknown; {hint}")
    for cell in json.loads(snap.read_text()).get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = (out.get("data") or {}).get(EVIDENCE_MIME)
            if isinstance(data, dict):
                return Evidence.from_json(data)
    raise MlopsbookError(f"{snap.relative_to(root)}: no output carries the engine's evidence ({EVIDENCE_MIME}); {hint}")

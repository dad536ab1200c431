"""The decision engine: profile validation, sourced limits, ranking, deciding criterion, flip point, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from mlopsbook.cli import main
from mlopsbook.decide import limits, rank, sizing
from mlopsbook.decide.profile import FIELDS, Profile, ProfileError
from mlopsbook.paths import data_path

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
BASE = dict(traffic_pattern="steady", mean_rps=10.0, peak_rps=10.0, gpu="no", artifact_mb=100.0, model_latency_ms=50.0,
            memory_mb=1024.0, latency_slo_ms=1000.0, payload_kb=10.0)


def prof(**kw: object) -> Profile:
    return Profile.from_mapping({**BASE, **kw})


# -- profile --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field", FIELDS)
def test_missing_field_is_named(field: str) -> None:
    data = {k: v for k, v in BASE.items() if k != field}
    with pytest.raises(ProfileError) as e:
        Profile.from_mapping(data)
    assert e.value.field == field


@pytest.mark.parametrize("field,value", [("traffic_pattern", "weekly"), ("gpu", "yes"), ("mean_rps", -1),
                                         ("memory_mb", float("nan")), ("payload_kb", "big"), ("peak_rps", 5.0),
                                         ("latency_slo_ms", 0), ("artifact_mb", True)])
def test_invalid_field_is_named(field: str, value: object) -> None:
    with pytest.raises(ProfileError) as e:
        prof(**{field: value})
    assert e.value.field == field


def test_unknown_field_and_pattern_peak_rules() -> None:
    with pytest.raises(ProfileError, match="^gpus: unknown field"):
        Profile.from_mapping({**BASE, "gpus": "no"})
    with pytest.raises(ProfileError) as e:  # diurnal peak at most 2 x mean
        prof(traffic_pattern="diurnal", mean_rps=10, peak_rps=25)
    assert e.value.field == "peak_rps"


# -- limits ---------------------------------------------------------------------------------------------------------------
def test_limits_file_cites_registry_facts() -> None:
    lims = limits.load()
    by = {(x.platform, x.limit): x for x in lims}
    assert by[("lambda", "memory_mb")].value == 10240 and by[("lambda", "memory_mb")].fact == "aws.lambda.memory.max_mb"
    assert by[("lambda", "timeout_ms")].value == 900_000 and by[("lambda", "timeout_ms")].fact == "aws.lambda.timeout.max_s"
    assert by[("lambda", "zip_unzipped_mb")].value == 250
    assert by[("lambda", "image_mb")].value == 10240 and by[("lambda", "image_mb")].fact == "aws.lambda.container_image.max_mb"
    assert by[("lambda", "gpu")].fact == "aws.lambda.gpu.max"
    assert by[("sagemaker-serverless", "memory_mb")].value == 6144 and by[("sagemaker-serverless", "concurrency")].value == 200
    assert by[("sagemaker-serverless", "payload_kb")].value == 4096 and by[("sagemaker", "timeout_ms")].value == 60_000
    assert all(x.source and x.source_date for x in lims)


def test_limits_loader_names_row_and_column(tmp_path: Path) -> None:
    src = data_path("limits", limits.LIMITS_FILE).read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([src[0], src[1].replace("aws.lambda.gpu.max", "aws.lambda.gpu.maximum")]) + "\n")
    with pytest.raises(limits.LimitsError, match=r"row 2, column fact: unknown fact 'aws.lambda.gpu.maximum'"):
        limits.load(path=bad)
    bad.write_text("\n".join([src[0], "lambda,timeout_ms,aws.lambda.memory.max_mb,model_latency_ms"]) + "\n")
    with pytest.raises(limits.LimitsError, match=r"row 2, column fact: aws.lambda.memory.max_mb is in MB"):
        limits.load(path=bad)


@pytest.mark.parametrize("change,platform,text", [
    ({"gpu": "required"}, "lambda", "no GPU (aws.lambda.gpu.max"),
    ({"memory_mb": 12000}, "lambda", "10,240 MB (aws.lambda.memory.max_mb"),
    ({"model_latency_ms": 1_000_000, "mean_rps": 0.001, "peak_rps": 0.001}, "lambda", "900 s (aws.lambda.timeout.max_s"),
    ({"payload_kb": 7000}, "lambda", "6,144 KB (aws.lambda.payload.sync_max_kb"),
    ({"artifact_mb": 11000}, "lambda", "10 GB container image limit (aws.lambda.container_image.max_mb"),
    ({"payload_kb": 5000}, "sagemaker-serverless", "4,096 KB (aws.sagemaker_serverless.payload.max_kb"),
    ({"memory_mb": 7000}, "sagemaker-serverless", "6,144 MB (aws.sagemaker_serverless.memory_sizes_mb"),
    ({"model_latency_ms": 70_000}, "sagemaker", "60 s (aws.sagemaker.realtime.timeout.max_s"),
    ({"gpu": "required"}, "fargate", "no GPU"),
])
def test_hard_limits_rule_out_with_source(change: dict, platform: str, text: str) -> None:
    d = rank.decide(prof(**change), flip=False)
    assert platform in d.ruled_out and text in d.ruled_out[platform]
    assert platform not in [a.platform for a in d.ranking]


def test_serverless_concurrency_cap_depends_on_rate() -> None:
    p = prof(mean_rps=5000, peak_rps=5000)  # 5000 req/s x 50 ms = 250 in flight > 200 (B8)
    d = rank.decide(p, flip=False)
    assert "250 exceeds its maximum of 200" in d.ruled_out["sagemaker-serverless"]


def test_lambda_large_artifact_needs_image_not_ruled_out() -> None:
    d = rank.decide(prof(artifact_mb=900, traffic_pattern="rare", mean_rps=0.01, peak_rps=0.5), flip=False)
    assert "container image" in d.assessment("lambda").reasons["artifact"]


# -- ranking -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,expected", [("steady-cpu-busy.yaml", "fargate"), ("rare-gpu.yaml", "triton"),
                                           ("office-docs.yaml", "lambda"), ("big-model-cpu.yaml", "sagemaker"),
                                           ("click-stream.yaml", "eks")])
def test_profiles_not_in_the_issue(path: str, expected: str) -> None:
    assert rank.decide(Profile.from_yaml(FIX / path)).recommendation == expected


def test_slo_decides_when_the_cheapest_misses_it() -> None:
    # rare traffic: Lambda is cheapest but every burst starts cold (2.8 s INIT); a 200 ms SLO puts an always-on fleet first
    p = prof(traffic_pattern="rare", mean_rps=0.002, peak_rps=0.1, latency_slo_ms=200)
    d = rank.decide(p)
    assert d.deciding_criterion.startswith("latency SLO")
    assert d.recommendation != "lambda" and d.flip_figures["platform"] in ("lambda", "sagemaker-serverless")
    relaxed = rank.decide(p.with_(latency_slo_ms=d.flip_figures["slo_ms"] + 1))
    assert relaxed.recommendation == d.flip_figures["platform"]


def test_cost_flip_point_is_where_first_place_changes() -> None:
    p = Profile.from_yaml(FIX / "steady-cpu-busy.yaml")
    d = rank.decide(p)
    x, other = d.flip_figures["above_mean_rps"], d.flip_figures["above_platform"]
    assert rank.decide(p.scaled(x * 1.01), flip=False).recommendation == other
    assert rank.decide(p.scaled(x * 0.99), flip=False).recommendation == "fargate"


def test_deterministic() -> None:
    p = Profile.from_yaml(FIX / "office-docs.yaml")
    assert rank.decide(p).to_dict() == rank.decide(p).to_dict()


@settings(max_examples=8, deadline=None)
@given(rps=st.floats(0.01, 300), lat=st.floats(2, 500), mem=st.floats(128, 8000),
       pattern=st.sampled_from(["steady", "business-hours", "rare"]))
def test_ranking_partitions_platforms_and_orders_by_slo_then_cost(rps: float, lat: float, mem: float, pattern: str) -> None:
    from mlopsbook.costs.traffic import Workload
    peak = Workload(pattern, rps).peak_rps
    d = rank.decide(prof(traffic_pattern=pattern, mean_rps=rps, peak_rps=peak, model_latency_ms=lat, memory_mb=mem),
                      flip=False)
    names = [a.platform for a in d.ranking]
    assert sorted(names + list(d.ruled_out)) == sorted(rank.PLATFORMS)
    keys = [(not a.meets_slo, a.monthly_usd) for a in d.ranking]
    assert keys == sorted(keys)


# -- CLI -------------------------------------------------------------------------------------------------------------------
def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decide", "--profile", str(FIX / "steady-cpu-busy.yaml"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ranking"][0]["platform"] == "fargate" and isinstance(out["ranking"][0]["monthly_usd"], float)
    assert out["ruled_out"]["triton"]


def test_cli_flags_override_and_complete_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decide", "--profile", str(FIX / "missing-gpu.yaml"), "--gpu", "required", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "lambda" in out["ruled_out"] and out["profile"]["gpu"] == "required"


@pytest.mark.parametrize("argv,flag", [
    (["--profile", str(FIX / "missing-gpu.yaml")], "--gpu"),
    (["--profile", str(FIX / "missing-gpu.yaml"), "--gpu", "maybe"], "--gpu"),
    (["--profile", str(FIX / "steady-cpu-busy.yaml"), "--mean-rps", "fast"], "--mean-rps"),
    (["--profile", str(FIX / "steady-cpu-busy.yaml"), "--peak-rps", "1"], "--peak-rps"),
    (["--profile", "nope.yaml"], "--profile"),
    (["--traffic-pattern", "steady"], "--mean-rps"),
])
def test_cli_bad_input_exits_2_naming_the_flag(argv: list[str], flag: str) -> None:
    r = subprocess.run([sys.executable, "-m", "mlopsbook", "decide", *argv], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and f"error: {flag}" in r.stderr


# -- widgets ---------------------------------------------------------------------------------------------------------------
def test_widgets_render_nothing_outside_a_live_session(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from mlopsbook.decide import widgets

    for k in widgets.LIVE_ENV:
        monkeypatch.delenv(k, raising=False)
    assert not widgets.live()
    widgets.show(Profile.from_yaml(FIX / "office-docs.yaml"))
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("MLOPSBOOK_WIDGETS", "1")
    assert widgets.live()


def test_widget_panel_builds_and_clamps_the_peak() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from mlopsbook.decide import widgets

    p = Profile.from_yaml(FIX / "steady-cpu-busy.yaml")
    ctl = widgets.controls(p)
    values = {k: c.value for k, c in ctl.items()}
    assert widgets.profile_from(values).traffic_pattern == "steady"
    values.update(traffic_pattern="diurnal", peak_over_mean=10.0)
    assert widgets.profile_from(values).peak_rps == pytest.approx(2 * values["mean_rps"])
    panel = widgets.build(p)
    assert len(panel.children[0].children) == len(ctl)


# -- stated preferences (Medusa's): constraints after the hard limits, the stated objective, an assumed SLO -------------
def test_preferences_constrain_after_the_hard_limits_and_an_assumed_slo_never_reorders() -> None:
    from mlopsbook.decide.preferences import PreferenceError, Preferences

    p = prof(traffic_pattern="rare", mean_rps=0.02, peak_rps=1.0, latency_slo_ms=200)
    strict = rank.decide(p, flip=False)
    assumed = rank.decide(p, flip=False, preferences=Preferences(slo_stated=False))
    assert [a.monthly_usd for a in assumed.ranking] == sorted(a.monthly_usd for a in assumed.ranking)
    if not strict.ranking[0].meets_slo or strict.recommendation != assumed.recommendation:
        assert "p99 SLO was not stated" in assumed.flip or strict.recommendation == assumed.recommendation
    warm = rank.decide(p, flip=False, preferences=Preferences(no_cold_starts=True))
    assert set(warm.excluded) == {"lambda", "sagemaker-serverless"} and warm.recommendation not in warm.excluded
    assert set(warm.ruled_out) == set(strict.ruled_out)  # hard limits are unchanged by a preference
    cap = rank.decide(p, flip=False, preferences=Preferences(max_monthly_usd=5.0))
    assert all(a.monthly_usd <= 5.0 for a in cap.ranking)
    with pytest.raises(PreferenceError, match="objective"):
        Preferences(objective="vibes")
    with pytest.raises(PreferenceError, match="max_monthly_usd"):
        Preferences(max_monthly_usd=-1.0)


def test_lambda_memory_is_raised_so_a_long_request_finishes_in_time() -> None:
    p = prof(model_latency_ms=850_000, memory_mb=1024)
    assert sizing.model_of(p).lambda_duration_ms <= 900_000
    assert "lambda" not in rank.decide(p, flip=False).ruled_out


# -- the scaled copy: the cost of a cold-start simulation does not grow with the rate or the request time ---------------
@pytest.mark.parametrize("stated", [
    {"traffic_pattern": "steady", "mean_rps": 100.0, "model_latency_ms": 20000.0, "gpu": "no"},
    {"traffic_pattern": "business-hours", "mean_rps": 40.0, "model_latency_ms": 30000.0, "gpu": "no"},
])
def test_the_scaled_copy_agrees_with_the_full_simulation_where_both_run(stated, monkeypatch) -> None:
    from mlopsbook.decide import exposure, rank
    from mlopsbook.medusa import assume

    profile, _ = assume.complete(stated)
    for a in rank.decide(profile, flip=False, simulate=False).ranking:
        scaled = exposure.simulate(profile, a.platform, dict(a.plan))
        assert "times smaller" in scaled.window
        with monkeypatch.context() as m:
            m.setattr(exposure, "MAX_CONCURRENCY", 10**9)
            full = exposure.simulate(profile, a.platform, dict(a.plan))
        assert "times smaller" not in full.window
        assert scaled.p99_ms == pytest.approx(full.p99_ms, rel=0.15), a.platform


@settings(max_examples=50, deadline=None)
@given(rps=st.floats(min_value=0.01, max_value=1e6), service_ms=st.floats(min_value=1.0, max_value=1e7),
       minutes=st.integers(min_value=2, max_value=40))
def test_a_scaled_run_is_bounded_whatever_the_rate_and_request_time(rps: float, service_ms: float, minutes: int) -> None:
    import numpy as np

    from mlopsbook.decide import exposure

    series = np.full(minutes, rps)
    k = exposure.scale_factor(series, service_ms)
    assert k >= 1
    assert (series / k).sum() * 60 <= exposure.MAX_ARRIVALS * (1 + 1e-9)
    assert (series / k).max() * service_ms / 1000 <= exposure.MAX_CONCURRENCY * (1 + 1e-9)

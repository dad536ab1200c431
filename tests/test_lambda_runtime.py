"""The Lambda packages run the way Lambda runs them: AWS's runtime interface client (awslambdaric) on the runtime's
CPython, against the Lambda Runtime API emulated on 127.0.0.1; and the SAM template that deploys them.

Needs CPython 3.12 (pyenv's on these machines; the tests skip without it) and, for the template, ``make deploy-env``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from dataclasses import replace

import pytest

from mlopsbook.lambdakit import handlers, runtime_api, runtime_facts, runtime_measure, sam_template
from mlopsbook.nlp import linear_text, measure, service
from mlopsbook.paths import repo_root

ROOT = repo_root()
EVENTS = ROOT / "tests" / "fixtures" / "events"
EXPECTED: dict[str, int] = json.loads((EVENTS / "expected.json").read_text())

pytestmark = pytest.mark.skipif(runtime_facts.find_python("3.12") is None, reason="no CPython 3.12 here")


@pytest.fixture(scope="module")
def client():
    return runtime_facts.client_python(runtime_facts.facts())


@pytest.fixture(scope="module")
def tasks(tmp_path_factory):
    """Each service's zip (built by `make lambda-packages`, cached) unzipped as Lambda unzips it into /var/task."""
    measure.package_manifest()
    folder = measure.package_manifest_dir()
    out = {}
    for svc in ("classify", "entities"):
        task = tmp_path_factory.mktemp(svc) / "task"
        zipfile.ZipFile(folder / f"{svc}.zip").extractall(task)
        out[svc] = task
    return out


def test_runtime_facts_and_errors(tmp_path, monkeypatch):
    rt = runtime_facts.facts()
    assert (rt.runtime, rt.python, rt.abi, rt.os, rt.glibc) == ("python3.12", "3.12", "cp312", "Amazon Linux 2023", (2, 34))
    assert rt.target("x86_64").platforms[0] == "manylinux2014_x86_64"
    assert rt == replace({r.runtime: r for r in runtime_facts.runtimes()}["python3.12"], platforms=rt.platforms,
                         sources=rt.sources, file=rt.file)
    assert all(s.get("url") and s.get("read") for s in rt.sources)
    with pytest.raises(runtime_facts.LambdaRuntimeError, match="arch: must be one of"):
        rt.target("s390x")
    (tmp_path / "data" / "inference").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("")
    (tmp_path / "data" / "inference" / "rt.json").write_text('{"runtime": "python3.12"}')
    monkeypatch.setenv("MLOPSBOOK_ROOT", str(tmp_path))
    with pytest.raises(runtime_facts.LambdaRuntimeError, match="rt.json: missing field 'architectures'"):
        runtime_facts.facts("rt.json")


def test_emulated_api_response_error_and_init_error(client, tmp_path):
    (tmp_path / "ok.py").write_text("def handler(event, context):\n    return {'echo': event, 'rid': context.aws_request_id}\n")
    (tmp_path / "fails.py").write_text("def handler(event, context):\n    raise ValueError('bad ' + str(event))\n")
    (tmp_path / "crash.py").write_text("raise ImportError('no model at init')\n")
    r = runtime_api.invoke(tmp_path, "ok.handler", [{"a": 1}, {"b": 2}], python=client)
    assert r.init_error is None and r.init_ms > 0
    assert [i.response["echo"] for i in r.invocations] == [{"a": 1}, {"b": 2}]
    assert r.invocations[0].response["rid"] == r.invocations[0].request_id
    r = runtime_api.invoke(tmp_path, "fails.handler", [7], python=client)
    assert r.invocations[0].error["errorType"] == "ValueError" and "bad 7" in r.invocations[0].error["errorMessage"]
    r = runtime_api.invoke(tmp_path, "crash.handler", [1], python=client)
    assert r.init_error["errorType"] == "Runtime.ImportModuleError" and "no model at init" in r.init_error["errorMessage"]
    assert r.invocations == [] and r.returncode not in (None, 0)


def _in_process(svc: str, task: Path):
    """The in-process service answering like the package: the same exported classifier, the same NER pipeline."""
    if svc == "classify":
        models = service.Models(classifier=linear_text.load(task / "mlopsbook_legal_classifier"), version="x")
    else:
        models = service.Models(ner=service.load_models()._ner, version="x")
    import io

    return handlers.make_handler(svc, models, stream=io.StringIO())


@pytest.mark.parametrize("svc", ["classify", "entities"])
def test_packages_answer_like_the_service_in_the_runtime_client(svc, client, tasks):
    names = sorted(EXPECTED)
    events = [json.loads((EVENTS / n).read_text()) for n in names]
    r = runtime_api.invoke(tasks[svc], f"{svc}_function.handler", events, python=client, cpu=0,
                              function_name=svc)
    assert r.init_error is None, r.log[-2000:]
    assert len(r.invocations) == len(events)
    local = _in_process(svc, tasks[svc])
    for name, event, inv in zip(names, events, r.invocations):
        assert inv.error is None, (name, inv.error)
        assert inv.response["statusCode"] == EXPECTED[name], name
        assert inv.response == local(event, None), name
    assert '"event": "init"' in r.log and '"status": 200' in r.log  # the JSON log lines reach the log stream


def test_crash_in_init_is_reported_through_init_error(client, tasks, tmp_path):
    task = tmp_path / "task"
    shutil.copytree(tasks["classify"], task)
    shutil.rmtree(task / "mlopsbook_legal_classifier")  # the model is missing from the package
    r = runtime_api.invoke(task, "classify_function.handler", [{}], python=client)
    assert r.init_error is not None and "mlopsbook_legal_classifier" in r.init_error["errorMessage"]
    assert r.invocations == []


def test_recorded_runtime_measurement_feeds_the_cost_model():
    rec = runtime_measure.recorded()
    from mlopsbook.reproductions.engineering_culture_leadership import profile

    prof = profile.recorded()
    assert prof["init_ms"] == pytest.approx(rec["classify"]["init_ms"] + rec["entities"]["init_ms"])
    assert runtime_measure.MEASURED_FILE in prof["init_source"]
    for svc in ("classify", "entities"):
        assert 0 < rec[svc]["init_ms"] < 10_000  # INIT may last at most 10 s (A24)
        assert rec[svc]["duration_ms_p50"] <= rec[svc]["duration_ms_p95"]
    assert profile.post_model().init_ms == round(prof["init_ms"], -1)


# -- infrastructure as code -----------------------------------------------------------------------------------------
DEPLOY = ROOT / ".venv-deploy" / "bin"


def test_template_is_generated():
    assert (ROOT / sam_template.TEMPLATE).read_text() == sam_template.render()


@pytest.fixture(scope="module")
def deploy_env():
    if not (DEPLOY / "cfn-lint").is_file():
        pytest.fail(".venv-deploy is missing: run `make deploy-env` first")
    return DEPLOY


def test_template_passes_cfn_lint(deploy_env):
    proc = subprocess.run([str(deploy_env / "cfn-lint"), str(ROOT / sam_template.TEMPLATE)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_template_transforms_offline_with_sam_translator(deploy_env, tmp_path):
    proc = subprocess.run([str(deploy_env / "python"), str(ROOT / "deploy" / "lambda" / "transform_offline.py"),
                           str(ROOT / sam_template.TEMPLATE)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-west-1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    cfn = json.loads(proc.stdout)
    types = {r["Type"] for r in cfn["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::Lambda::Permission"} <= types
    for svc in ("classify", "entities"):
        f = cfn["Resources"][f"{svc.capitalize()}Function"]["Properties"]
        assert f["Runtime"] == "python3.12" and f["Architectures"] == ["x86_64"] and f["MemorySize"] == 1769
        assert f["Handler"] == f"{svc}_function.handler" and f["Code"]["S3Key"] == f"{svc}.zip"


# -- C6 and C9, re-decided from what ran --------------------------------------------------------------------------------
def test_c6_and_c9_hold_when_the_zips_fit_and_run():
    from mlopsbook.publishing.claims import Status
    from mlopsbook.reproductions.engineering_culture_leadership import cpu_inference

    run = cpu_inference.runtime_check()
    assert run["available"] and all(r["init_ok"] and r["answered_as_contracted"] == r["events"]
                                    for r in run["services"].values())
    c6, c9 = cpu_inference.verdict_c6(), cpu_inference.verdict_c9()
    assert c6.status is Status.HOLDS and "python3.12" in c6.summary
    assert c9.status is Status.HOLDS and c9.figures["zips_run_in_runtime_client"] == 2


def test_c6_names_what_does_not_fit():
    import copy

    from mlopsbook.publishing.claims import Status
    from mlopsbook.reproductions.engineering_culture_leadership import cpu_inference

    m = copy.deepcopy(measure.package_manifest())
    m["packages"]["entities"]["unzipped_mb"] = 300.0
    v = cpu_inference.verdict_c6(m)
    assert v.status is Status.HOLDS_UNDER_CONDITIONS
    assert "entities (300 MB unzipped) exceeds the 250 MB limit" in v.conditions and "container image" in v.conditions

"""The Lambda packages run the way Lambda runs them: AWS's runtime interface client (awslambdaric) on the runtime's
CPython, against the Lambda Runtime API emulated on 127.0.0.1; and the SAM template that deploys them.

Needs CPython 3.12 (pyenv's; the ``lambda_client`` fixture fails naming what to install when it is missing, never
skips) and, for the template, ``make deploy-env`` (the ``deploy_env`` fixture fails the same way); both fixtures are
the session's, in tests/integration/conftest.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from dataclasses import replace

import pytest

from mlopsbook.lambdakit import handlers, runtime_api, sam_template
from mlopsbook.nlp import linear_text, service
from mlopsbook.paths import repo_root

ROOT = repo_root()
EVENTS = ROOT / "tests" / "fixtures" / "events"
EXPECTED: dict[str, int] = json.loads((EVENTS / "expected.json").read_text())


@pytest.fixture(scope="module")
def tasks(lambda_packages, tmp_path_factory):
    """Each service's zip unzipped as Lambda unzips it into /var/task."""
    _, folder = lambda_packages
    out = {}
    for svc in ("classify", "entities"):
        task = tmp_path_factory.mktemp(svc) / "task"
        zipfile.ZipFile(folder / f"{svc}.zip").extractall(task)
        out[svc] = task
    return out


def test_emulated_api_response_error_and_init_error(lambda_client, tmp_path):
    (tmp_path / "ok.py").write_text("def handler(event, context):\n    return {'echo': event, 'rid': context.aws_request_id}\n")
    (tmp_path / "fails.py").write_text("def handler(event, context):\n    raise ValueError('bad ' + str(event))\n")
    (tmp_path / "crash.py").write_text("raise ImportError('no model at init')\n")
    r = runtime_api.invoke(tmp_path, "ok.handler", [{"a": 1}, {"b": 2}], python=lambda_client)
    assert r.init_error is None and r.init_ms > 0
    assert [i.response["echo"] for i in r.invocations] == [{"a": 1}, {"b": 2}]
    assert r.invocations[0].response["rid"] == r.invocations[0].request_id
    r = runtime_api.invoke(tmp_path, "fails.handler", [7], python=lambda_client)
    assert r.invocations[0].error["errorType"] == "ValueError" and "bad 7" in r.invocations[0].error["errorMessage"]
    r = runtime_api.invoke(tmp_path, "crash.handler", [1], python=lambda_client)
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
def test_packages_answer_like_the_service_in_the_runtime_client(svc, lambda_client, tasks):
    names = sorted(EXPECTED)
    events = [json.loads((EVENTS / n).read_text()) for n in names]
    r = runtime_api.invoke(tasks[svc], f"{svc}_function.handler", events, python=lambda_client, cpu=0,
                              function_name=svc)
    assert r.init_error is None, r.log[-2000:]
    assert len(r.invocations) == len(events)
    local = _in_process(svc, tasks[svc])
    for name, event, inv in zip(names, events, r.invocations):
        assert inv.error is None, (name, inv.error)
        assert inv.response["statusCode"] == EXPECTED[name], name
        assert inv.response == local(event, None), name
    assert '"event": "init"' in r.log and '"status": 200' in r.log  # the JSON log lines reach the log stream


def test_crash_in_init_is_reported_through_init_error(lambda_client, tasks, tmp_path):
    task = tmp_path / "task"
    shutil.copytree(tasks["classify"], task)
    shutil.rmtree(task / "mlopsbook_legal_classifier")  # the model is missing from the package
    r = runtime_api.invoke(task, "classify_function.handler", [{}], python=lambda_client)
    assert r.init_error is not None and "mlopsbook_legal_classifier" in r.init_error["errorMessage"]
    assert r.invocations == []


# -- infrastructure as code -----------------------------------------------------------------------------------------
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



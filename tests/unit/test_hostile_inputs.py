"""Hostile input against every command's file arguments and number flags: never a traceback, never a hang.

Each command runs in-process (``mlopsbook.cli.main``) under a ``SIGALRM`` guard; the outcome must be an exit status
in {0, 1, 2} with no ``Traceback`` in the output. One test per input class of :mod:`mlopsbook.inputs`, the handlers'
malformed events, and hypothesis fuzzing over file contents and numbers. The unit run tries a few hundred inputs in
all; ``MLOPSBOOK_FUZZ_EXAMPLES=500`` runs every fuzz test with that many examples (the larger search).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mlopsbook import inputs
from mlopsbook.cli import main
from mlopsbook.errors import MlopsbookError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROFILE = FIXTURES / "profiles" / "office-docs.yaml"
SCORECARD = next(iter(sorted((FIXTURES / "scorecards").glob("*.yaml"))))
LIMIT_S = 30
FUZZ = int(os.environ.get("MLOPSBOOK_FUZZ_EXAMPLES", "0"))
"""Examples per fuzz test in the large run (``-m fuzz``); the unit run uses the small numbers below."""


class _TooSlow(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _TooSlow()


def run_cli(argv: list[str]) -> tuple[int, str]:
    """``main(argv)`` in-process: its exit status and output; fails on any exception or a run over the limit."""
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(LIMIT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's own usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    except _TooSlow:
        pytest.fail(f"ran over {LIMIT_S} s: {argv}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    text = out.getvalue() + err.getvalue()
    assert code in (0, 1, 2), (argv, code, text[-500:])
    assert "Traceback" not in text, (argv, text[-2000:])
    return code, text


# -- every command that reads a file ----------------------------------------------------------------------------
def _file_commands(tmp: Path) -> dict[str, callable]:
    def price_copy(f: Path) -> str:
        target = tmp / "named" / "prices-us-east-1-2026-01-01.csv"
        target.parent.mkdir(exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        target.write_bytes(f.read_bytes())
        return str(target)

    return {
        "cost --prices": lambda f: ["cost", "lambda", "--requests-per-month", "1000", "--duration-ms", "100",
                                    "--memory-mb", "512", "--prices", price_copy(f)],
        "prices check": lambda f: ["prices", "check", price_copy(f)],
        "prices refresh --offer-file": lambda f: ["prices", "refresh", "--offer-file", str(f), "--out", str(tmp / "o")],
        "simulate --scenario": lambda f: ["simulate", "--scenario", str(f), "--duration-s", "5"],
        "simulate --arrivals trace:": lambda f: ["simulate", "--arrivals", f"trace:{f}", "--duration-s", "5"],
        "decide --profile": lambda f: ["decide", "--profile", str(f)],
        "hiring score": lambda f: ["hiring", "score", str(f)],
        "hiring score --framework": lambda f: ["hiring", "score", str(SCORECARD), "--framework", str(f)],
        "hiring validate --framework": lambda f: ["hiring", "validate", "--framework", str(f)],
        "hiring validate --validity": lambda f: ["hiring", "validate", "--validity", str(f)],
        "infer invoke": lambda f: ["infer", "invoke", "classify", str(f)],
    }


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "not UTF-8": "a: caf\xe9\n".encode("latin-1"),
    "invalid YAML": b"a: [1, 2\n  b: {",
    "invalid JSON": b'{"a": ',
    "YAML python tag": b"a: !!python/object/apply:os.system ['echo owned']\n",
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))).encode(),
    "list for a mapping": b"- 1\n- 2\n",
    "scalar": b"42\n",
    "wrong types": b'{"products": [], "terms": "x", "publicationDate": 5, "mean_rps": "fast", "rate_rps": [1]}',
    "deep nesting": b"[" * 50_000 + b"]" * 50_000,
    "huge numbers": b"mean_rps: 1e308\npeak_rps: .inf\nrate_rps: 1e308\nreplicas: 100000000000000000000\n",
    "NaN": b"mean_rps: .nan\nrate_rps: .nan\nduration_s: -0.0\nseed: -1\n",
    "csv with a huge field": b"a,b\n" + b"x" * 200_000 + b",1\n",
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, data in HOSTILE.items():
        p = tmp / name.replace(" ", "_")
        p.write_bytes(data)
        files[name] = p
    files["a folder"] = tmp / "folder"
    files["a folder"].mkdir()
    files["missing"] = tmp / "no-such-file"
    return files


def test_every_command_refuses_every_hostile_file_in_one_line(hostile_files, tmp_path):
    tried = 0
    for label, make in _file_commands(tmp_path).items():
        for kind, path in hostile_files.items():
            if label.startswith(("cost", "prices check")) and kind in ("a folder", "missing"):
                continue  # those copy the file's bytes under a price table's name
            code, text = run_cli(make(path))
            tried += 1
            structured = not label.startswith(("cost", "prices check", "simulate --arrivals", "hiring validate --validity"))
            if kind in ("a folder", "missing", "binary", "not UTF-8") or (
                    structured and kind in ("YAML python tag", "alias bomb", "deep nesting", "invalid YAML")):
                assert code == 2, (label, kind, text)
                assert len(text.strip().splitlines()) == 1, (label, kind, text)
    assert tried >= 150


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("label", ["simulate --scenario", "decide --profile", "hiring score", "infer invoke",
                                   "prices refresh --offer-file", "hiring validate --validity"])
def test_a_fifo_is_refused_without_blocking(tmp_path, label):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, text = run_cli(_file_commands(tmp_path)[label](fifo))
    assert code == 2 and "not a regular file" in text


@settings(max_examples=FUZZ or 40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode),
                      st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
                                   lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                                   max_leaves=20).map(lambda v: json.dumps(v).encode())),
       command=st.sampled_from(sorted(_file_commands(Path("/tmp")))))
def test_fuzz_file_arguments(tmp_path, data, command):
    f = tmp_path / "input"
    f.write_bytes(data)
    run_cli(_file_commands(tmp_path)[command](f))


# -- number flags -----------------------------------------------------------------------------------------------
NUMBERS = st.one_of(
    st.sampled_from(["1e308", "-1e308", "-0", "0", "nan", "inf", "-inf", "1e-300", "-1", str(2**70), "1e7", "1e9",
                     "1e-9", "abc", ""]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)

SIMULATE_FLAGS = ["--rate-rps", "--mean-service-ms", "--replicas", "--duration-s", "--seed", "--slo-ms",
                  "--min-replicas", "--max-replicas", "--target-ongoing-requests", "--max-ongoing-requests",
                  "--upscale-delay-s", "--downscale-delay-s", "--metrics-interval-s", "--look-back-period-s",
                  "--node-startup-s", "--replicas-per-node", "--min-worker-nodes", "--kill-node-at-s", "--retries",
                  "--keep-alive-s", "--provisioned", "--memory-mb"]


@settings(max_examples=FUZZ or 60, deadline=None)
@given(platform=st.sampled_from(["fixed", "ray-serve", "lambda"]), flag=st.sampled_from(SIMULATE_FLAGS),
       value=NUMBERS)
def test_fuzz_simulate_number_flags(platform, flag, value):
    run_cli(["simulate", "--platform", platform, "--duration-s", "60", flag, value] if flag != "--duration-s" else
            ["simulate", "--platform", platform, flag, value])


DECIDE_FLAGS = ["--mean-rps", "--peak-rps", "--artifact-mb", "--model-latency-ms", "--memory-mb", "--latency-slo-ms",
                "--payload-kb", "--seed"]


@settings(max_examples=FUZZ or 25, deadline=None)
@given(flag=st.sampled_from(DECIDE_FLAGS), value=NUMBERS.filter(lambda v: v not in ("1e7",)))
def test_fuzz_decide_number_flags(flag, value):
    run_cli(["decide", "--profile", str(PROFILE), flag, value])


@settings(max_examples=FUZZ or 40, deadline=None)
@given(flag=st.sampled_from(["--requests-per-month", "--duration-ms", "--memory-mb", "--ephemeral-storage-mb",
                             "--cold-start-fraction", "--init-duration-ms", "--provisioned-concurrency",
                             "--provisioned-hours", "--provisioned-requests", "--provisioned-duration-ms"]),
       value=NUMBERS)
def test_fuzz_cost_number_flags(flag, value):
    argv = {"--requests-per-month": "1000", "--duration-ms": "100", "--memory-mb": "512"}
    argv[flag] = value
    run_cli(["cost", "lambda", *[x for kv in argv.items() for x in kv]])


@settings(max_examples=FUZZ or 20, deadline=None)
@given(flag=st.sampled_from(["--docs-per-day", "--seed"]), value=NUMBERS)
def test_fuzz_engine_inputs_number_flags(tmp_path_factory, flag, value):
    out = tmp_path_factory.mktemp("inputs")
    argv = {"--docs-per-day": "2", "--seed": "0"}
    argv[flag] = value
    run_cli(["engine", "inputs", "--days", "2026-01-01", "--out", str(out), *[x for kv in argv.items() for x in kv]])


# -- the command lines of the report: bounded or refused in one line ------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["simulate", "--rate-rps", "1e7"],
    ["simulate", "--replicas", "1000000000"],
    ["simulate", "--platform", "ray-serve", "--rate-rps", "1e5"],
    ["simulate", "--platform", "ray-serve", "--metrics-interval-s", "1e-9"],
    ["simulate", "--platform", "ray-serve", "--look-back-period-s", "1e-9"],
    ["simulate", "--seed", "-1"],
    ["decide", "--profile", str(PROFILE), "--model-latency-ms", "1e9"],
    ["engine", "inputs", "--days", "2026-01-01", "--docs-per-day", "1000000000", "--out", "/nonexistent/x"],
    ["engine", "inputs", "--days", "2026-01-01", "--seed", "-1", "--out", "/nonexistent/x"],
    ["engine", "inputs", "--days", "2026-01-01,2026-01-01", "--out", "/nonexistent/x"],
])
def test_reported_command_lines_are_refused_in_one_line_naming_the_flag(argv):
    code, text = run_cli(argv)
    assert code == 2
    line = text.strip()
    assert "\n" not in line and ": error: --" in line, line


def test_refusing_a_large_fixed_pool_run_gives_the_queueing_answer():
    code, text = run_cli(["simulate", "--rate-rps", "5000", "--mean-service-ms", "10", "--replicas", "80"])
    assert code == 2
    assert "--duration-s" in text and "M/M/c mean wait" in text


def test_the_queueing_answer_agrees_with_the_simulator_where_both_run():
    from mlopsbook.simulate import queueing
    from mlopsbook.simulate.scenario import Scenario

    sc = Scenario(platform="fixed", rate_rps=80.0, mean_service_ms=100.0, replicas=10, duration_s=5000.0, seed=3)
    sim_wait_ms = sc.run().summary(None)["mean_wait_ms"]
    exact_ms = queueing.mmc_mean_wait_s(10, 80.0, 10.0) * 1e3
    assert sim_wait_ms == pytest.approx(exact_ms, rel=0.15)


# -- the reader, one test per input class -------------------------------------------------------------------------
def test_reader_refuses_a_folder_a_missing_file_and_a_large_file(tmp_path):
    with pytest.raises(inputs.InputFileError, match="is a folder"):
        inputs.read_text(tmp_path)
    with pytest.raises(inputs.InputFileError, match="no such file"):
        inputs.read_text(tmp_path / "nope")
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(inputs.InputFileError, match="larger than"):
        inputs.read_text(big, max_bytes=100)


def test_reader_names_the_byte_offset_of_bad_utf8(tmp_path):
    p = tmp_path / "latin.yaml"
    p.write_bytes("abc: caf\xe9".encode("latin-1"))
    with pytest.raises(inputs.InputFileError, match=r"latin.yaml: not UTF-8 text \(byte 0xe9 at offset 8\)"):
        inputs.read_yaml(p)


def test_yaml_python_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    p = tmp_path / "tag.yaml"
    p.write_text(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(inputs.InputFileError, match="tag not allowed"):
        inputs.read_yaml(p)
    assert not marker.exists()


def test_yaml_alias_bomb_and_deep_nesting_are_refused(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(HOSTILE["alias bomb"])
    with pytest.raises(inputs.InputFileError, match="aliases"):
        inputs.read_yaml(bomb)
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 1000 + "]" * 1000)
    with pytest.raises(inputs.InputFileError, match="nested"):
        inputs.read_yaml(deep)


def test_json_depth_is_bounded_before_parsing_and_nan_refused(tmp_path):
    assert inputs.json_depth('{"a": "[[[[", "b": [[1]]}') == 3
    with pytest.raises(inputs.InputFileError, match="nested 100000 levels deep"):
        inputs.parse_json("[" * 100_000 + "]" * 100_000, "x.json")
    with pytest.raises(inputs.InputFileError, match="NaN is not a JSON number"):
        inputs.parse_json('{"a": NaN}', "x.json")


def test_shape_checks_name_where_and_what(tmp_path):
    with pytest.raises(inputs.InputFileError, match=r"f.yaml: must be a mapping \(got a list\)"):
        inputs.expect_mapping([1], "f.yaml")
    assert inputs.expect_mapping(None, "f", empty_ok=True) == {}
    with pytest.raises(inputs.InputFileError, match=r"must be a list \(got a string\)"):
        inputs.expect_list("x", "f")


def test_csv_and_parquet_errors_are_input_errors(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2,3\n")
    with pytest.raises(inputs.InputFileError, match="row 2: more fields"):
        inputs.read_csv_rows(p)
    p.write_text("")
    with pytest.raises(inputs.InputFileError, match="empty"):
        inputs.read_csv_rows(p)
    q = tmp_path / "x.parquet"
    q.write_bytes(b"not parquet at all")
    with pytest.raises(inputs.InputFileError, match="not a Parquet file"):
        inputs.read_parquet_table(q)
    assert issubclass(inputs.InputFileError, MlopsbookError)


# -- the Lambda handlers: every malformed event a 4xx JSON body ---------------------------------------------------
@pytest.fixture(scope="module")
def handler():
    from mlopsbook.lambdakit import handlers

    def no_models():
        raise AssertionError("a malformed event must be answered before the models are needed")

    return handlers.make_handler("classify", no_models, stream=io.StringIO())


JSON_HEADERS = {"Content-Type": "application/json"}


@pytest.mark.parametrize("event, status", [
    ({"requestContext": "x", "headers": JSON_HEADERS, "body": "{}"}, 400),
    ({"requestContext": {"http": "POST"}, "headers": JSON_HEADERS, "body": "{}"}, 400),
    ({"headers": "application/json", "body": "{}"}, 400),
    ({"headers": JSON_HEADERS, "body": "[" * 100_000 + "]" * 100_000}, 400),
    ({"headers": JSON_HEADERS, "body": '{"text": ' * 5000 + "1" + "}" * 5000}, 400),
    ({"headers": JSON_HEADERS, "body": ["not", "a", "string"]}, 400),
    ({"headers": JSON_HEADERS}, 400),
    ({"headers": JSON_HEADERS, "body": '{"text": 5}'}, 422),
    ({"headers": JSON_HEADERS, "body": '{"text": "' + "a" * 2_000_000 + '"}'}, 413),
    ([], 400), (None, 400), ("event", 400),
])
def test_malformed_events_get_a_4xx_json_body(handler, event, status):
    resp = handler(event, None)
    assert resp["statusCode"] == status
    body = json.loads(resp["body"])
    assert body["error"]["status"] == status and body["error"]["message"]


@settings(max_examples=FUZZ or 40, deadline=None)
@given(event=st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
                          lambda c: st.lists(c, max_size=3) | st.dictionaries(
                              st.sampled_from(["body", "headers", "requestContext", "httpMethod", "isBase64Encoded",
                                               "http", "method", "requestId", "Content-Type"]), c, max_size=5),
                          max_leaves=15))
def test_fuzz_handler_events(handler, event):
    resp = handler(event, None)
    assert 400 <= resp["statusCode"] < 500
    assert isinstance(json.loads(resp["body"])["error"]["message"], str)

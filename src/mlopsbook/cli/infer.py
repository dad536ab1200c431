"""``mlopsbook infer train|models|kernels|package|measure|invoke``: the CPU NLP services of the post's second task."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlopsbook import inputs
from mlopsbook.errors import MlopsbookError, UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("infer", help="train, package, measure and invoke the CPU NLP services")
    psub = p.add_subparsers(dest="infer_command", metavar="ACTION", required=True)

    tr = psub.add_parser("train", help="train both models; compare them with the shipped ones (--record: ship them)")
    tr.add_argument("--record", action="store_true",
                    help="write a new dated artefact to data/models/ (default: train into build/models/ to compare)")
    tr.set_defaults(func=_train)

    md = psub.add_parser("models", help="check the shipped models against their manifest; print their provenance")
    md.add_argument("--models", default=None, metavar="DIR", help="model folder (default: the shipped artefact)")
    md.set_defaults(func=_models)

    ks = psub.add_parser("kernels", help="the shipped models' held-out predictions under forced CPU kernel families")
    ks.add_argument("--families", default=None, metavar="A,B",
                    help="kernel families, comma-separated, the first the baseline (default: all of "
                         "mlopsbook.nlp.kernels.FAMILIES)")
    ks.add_argument("--docs", type=int, default=None, metavar="N", help="first N held-out documents (default: all)")
    ks.add_argument("--python", action="append", default=None, metavar="PATH",
                    help="also run under this interpreter (with the model libraries installed); repeatable")
    ks.set_defaults(func=_kernels)

    pk = psub.add_parser("package", help="model wheels, one reproducible Lambda zip per service, container recipes")
    pk.add_argument("--out", default="dist/lambda", metavar="DIR", help="output folder (default: dist/lambda)")
    pk.add_argument("--models", default=None, metavar="DIR", help="model folder (default: the shipped artefact)")
    pk.set_defaults(func=_package)

    lk = psub.add_parser("lock", help="resolve each service's wheels for the Lambda runtime (needs the package index)")
    lk.add_argument("--models", default=None, metavar="DIR", help="model folder (default: the shipped artefact)")
    lk.set_defaults(func=_lock)

    tp = psub.add_parser("template", help="print (or --write) deploy/lambda/template.yaml, the SAM template")
    tp.add_argument("--write", action="store_true", help="write deploy/lambda/template.yaml")
    tp.set_defaults(func=_template)

    rm = psub.add_parser("runtime-measure", help="INIT and invocation time of the zips in AWS's runtime client")
    rm.add_argument("--out", default="dist/lambda", metavar="DIR", help="folder of the built zips (default: dist/lambda)")
    rm.add_argument("--runs", type=int, default=3, metavar="N", help="cold starts per service (default 3)")
    rm.add_argument("--record", action="store_true", help="write the result to data/inference/ (dated record)")
    rm.set_defaults(func=_runtime_measure)

    me = psub.add_parser("measure", help="latency, throughput and memory on one emulated Lambda vCPU")
    me.add_argument("--runs", type=int, default=3, metavar="N", help="measurement processes, median taken (default 3)")
    me.add_argument("--refresh", action="store_true", help="measure again even if a cached profile exists")
    me.add_argument("--record", action="store_true",
                    help="write the result to data/inference/ (the dated record the cost and decision models read)")
    me.set_defaults(func=_measure)

    iv = psub.add_parser("invoke", help="run a Lambda handler locally on an API Gateway event file")
    iv.add_argument("service", choices=["classify", "entities", "score"])
    iv.add_argument("event", metavar="EVENT.json")
    iv.set_defaults(func=_invoke)


def _models_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    p = Path(value)
    if p.exists() and not p.is_dir():
        raise UsageError(f"--models: must be a folder (got {value})")
    return p


def _print_scores(folder: Path) -> None:
    m = json.loads((folder / "metrics.json").read_text())
    c, n = m["classifier"], m["ner"]
    print(f"classifier: accuracy {c['accuracy']:.3f}, macro F1 {c['macro_f1']:.3f} on {c['n_docs']} held-out documents")
    print(f"NER: precision {n['precision']:.3f}, recall {n['recall']:.3f}, F1 {n['f1']:.3f} on {n['n_docs']} documents")


def _train(args: argparse.Namespace) -> int:
    import shutil

    from mlopsbook.nlp import artefact
    from mlopsbook.paths import repo_root

    name = artefact.dated_name()
    if args.record:
        folder = artefact.models_root() / name
        if folder.exists():
            raise UsageError(f"--record: {folder.relative_to(repo_root())} already exists (one artefact a day; "
                             f"remove it to make it again)")
    else:
        folder = repo_root() / "build" / "models" / name
        shutil.rmtree(folder, ignore_errors=True)
    man = artefact.make(folder)
    print(f"models {man['artefact_hash']} in {folder.relative_to(repo_root())} "
          f"({man['total_bytes'] / 1e6:.1f} MB, BLIS {man['made_with']['blis_arch']})")
    _print_scores(folder)
    rerecord = ("re-record what was measured with the models: `mlopsbook infer measure --refresh --record`, "
                "`mlopsbook infer package --out dist/lambda`, `mlopsbook infer runtime-measure --out dist/lambda "
                "--record`")
    if name == artefact.SHIPPED and args.record:
        print(f"this is the shipped artefact (artefact.SHIPPED names it): {rerecord}")
        return 0
    try:
        shipped = artefact.read_manifest()
    except MlopsbookError as exc:
        print(f"shipped models: {exc}")
        return 0
    same = [rel for rel, f in man["files"].items() if shipped["files"].get(rel, {}).get("sha256") == f["sha256"]]
    print(f"against the shipped {artefact.SHIPPED} ({shipped['artefact_hash']}): {len(same)} of {len(man['files'])} "
          f"files identical")
    if args.record:
        print(f"to ship it: set SHIPPED = {name!r} in src/mlopsbook/nlp/artefact.py, then {rerecord}")
    return 0


def _models(args: argparse.Namespace) -> int:
    from mlopsbook.nlp import artefact, service

    folder = service.models_dir(_models_dir(args.models))
    man = artefact.read_manifest(folder)
    made = man["made_with"]
    print(f"models {man['artefact_hash']}: {folder.name}, {len(man['files'])} files, "
          f"{man['total_bytes'] / 1e6:.1f} MB, "
          f"SHA-256 verified; model code {man['model_code_hash']} (current)")
    print(f"made on {made['made_on']} by `{made['command']}` (Python {made['python']}, {made['machine']}, "
          f"BLIS {made['blis_arch']}); corpus {man['corpus']['version']}")
    print("libraries: " + ", ".join(f"{k} {v}" for k, v in sorted(man["libraries"].items())))
    _print_scores(folder)
    return 0


def _kernels(args: argparse.Namespace) -> int:
    from mlopsbook.nlp import kernels

    if args.docs is not None and args.docs < 1:
        raise UsageError(f"--docs: must be >= 1 (got {args.docs})")
    try:
        families = (kernels.FAMILIES if args.families is None
                    else tuple(kernels.family(k.strip()) for k in args.families.split(",") if k.strip()))
    except MlopsbookError as exc:
        raise UsageError(f"--families: {exc}") from None
    if not families:
        raise UsageError("--families: name at least one family")
    for py in args.python or []:
        if not Path(py).is_file():
            raise UsageError(f"--python: no such interpreter ({py})")
    rows = kernels.compare(families, n_docs=args.docs, pythons=[None, *(args.python or [])])
    import pandas as pd

    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 90):
        print(kernels.table(rows).to_string())
    return 0 if all(r.same or r.error.startswith("not run") for r in rows) else 1


def _package(args: argparse.Namespace) -> int:
    from mlopsbook.lambdakit import packaging

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: must be a folder (got {args.out})")
    manifest = packaging.build_all(out, _models_dir(args.models))
    lim, rt = manifest["limits_mb"], manifest["runtime"]
    for name, w in sorted(manifest["wheels"].items()):
        print(f"wheel  {w['name']}: {w['size_bytes'] / 1e6:.2f} MB")
    status = 0
    for svc, p in sorted(manifest["packages"].items()):
        zip_ok = "fits" if p["fits_zip_direct_upload"] else "over"
        unz_ok = "fits" if p["fits_unzipped"] else "over"
        print(f"lambda {svc}.zip for {rt['runtime']} ({p['arch']}, {rt['os']}): {p['zipped_mb']:.1f} MB zipped "
              f"({zip_ok} the {lim['zip_direct_upload']:.0f} MB direct upload), {p['unzipped_mb']:.1f} MB unzipped "
              f"({unz_ok} the {lim['unzipped']:.0f} MB limit); needs glibc >= {p['needs_glibc']} "
              f"(runtime: {rt['glibc']}); audit {'passed' if p['audit_ok'] else 'FAILED'}")
        for problem in p["audit_problems"]:
            print(f"       {problem}")
        if not (p["fits_unzipped"] and p["audit_ok"]):
            status = 1
        print(f"       container recipe (the way out): {out / p['container_context']}/Dockerfile")
    print(f"manifest: {out / 'manifest.json'}")
    return status


def _lock(args: argparse.Namespace) -> int:
    from packaging.requirements import Requirement

    from mlopsbook.lambdakit import model_wheels, packaging, runtime_facts, wheelhouse

    rt = runtime_facts.facts()
    wheels = model_wheels.build_wheels(Path("build") / "model-wheels", _models_dir(args.models))
    targets = {"runtime-client": ["awslambdaric==4.2.2"]}
    for svc, wheel in wheels.items():
        targets[svc] = packaging._wheel_requires(wheel)
    for name, roots in targets.items():
        names = [Requirement(r).name for r in roots]
        cons = [] if name == "runtime-client" else wheelhouse.installed_constraints(names)
        print(f"locked: {wheelhouse.lock(name, roots, rt.target('x86_64'), constraints=cons)}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from mlopsbook.lambdakit import sam_template

    if args.write:
        print(f"written: {sam_template.write()}")
    else:
        print(sam_template.render(), end="")
    return 0


def _runtime_measure(args: argparse.Namespace) -> int:
    from mlopsbook.lambdakit import runtime_measure

    if args.runs < 1:
        raise UsageError(f"--runs: must be >= 1 (got {args.runs})")
    out = Path(args.out)
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        raise UsageError(f"--out: no manifest.json in {args.out} (run `make lambda-packages` first)")
    manifest = inputs.expect_mapping(inputs.read_json(manifest_path), str(manifest_path))
    packages = inputs.expect_mapping(manifest.get("packages"), f"{manifest_path}: packages")
    zips = {str(s): inputs.check_file(out / f"{s}.zip", max_bytes=inputs.MAX_PARQUET_BYTES) for s in packages}
    m = runtime_measure.measure(zips, runs=args.runs)
    for s in sorted(zips):
        r = m[s]
        print(f"{s}: INIT {r['init_ms']:.0f} ms (median of {args.runs}); invocation p50 {r['duration_ms_p50']:.1f} ms, "
              f"p95 {r['duration_ms_p95']:.1f} ms ({r['n_invocations']} one-page documents)")
    if args.record:
        print(f"recorded: {runtime_measure.record(m, manifest['packages'])}")
    return 0


def _measure(args: argparse.Namespace) -> int:
    from mlopsbook.nlp import measure

    if args.runs < 1:
        raise UsageError(f"--runs: must be >= 1 (got {args.runs})")
    p = measure.nlp_profile(refresh=args.refresh, runs=args.runs)
    print(f"emulation: {p['emulation']}; median of {p['n_runs']} runs")
    print(f"init {p['init_ms']:.0f} ms (imports {p['import_ms']:.0f} ms + load {p['load_ms']:.0f} ms); "
          f"peak memory {p['memory_mb']:.0f} MB; {p['throughput_docs_per_s']:.1f} one-page documents/s per core")
    for words, lat in p["latency_by_words"].items():
        s = lat["score"]
        print(f"{int(lat['words_mean']):>6} words: p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms, "
              f"p99 {s['p99_ms']:.1f} ms (n={s['n']})")
    if args.record:
        print(f"recorded: {measure.record_profile(p)}")
    return 0


def _invoke(args: argparse.Namespace) -> int:
    from mlopsbook.lambdakit import handlers
    from mlopsbook.nlp import service

    try:
        event = inputs.read_json(args.event, max_bytes=handlers.MAX_EVENT_BYTES)
    except inputs.InputFileError as exc:
        raise UsageError(f"EVENT.json: {exc}") from None
    handler = handlers.make_handler(args.service, service.load_models, stream=sys.stderr)
    print(json.dumps(handler(event, None), indent=1, ensure_ascii=False))
    return 0

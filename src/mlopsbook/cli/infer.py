"""``mlopsbook infer train|package|measure|invoke``: the CPU NLP services of the post's second task."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlopsbook.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("infer", help="train, package, measure and invoke the CPU NLP services")
    psub = p.add_subparsers(dest="infer_command", metavar="ACTION", required=True)

    tr = psub.add_parser("train", help="train (or reuse) both models; print held-out scores")
    tr.add_argument("--models", default=None, metavar="DIR", help="model folder (default: build/models/<version>)")
    tr.set_defaults(func=_train)

    pk = psub.add_parser("package", help="model wheels, one reproducible Lambda zip per service, container recipes")
    pk.add_argument("--out", default="dist/lambda", metavar="DIR", help="output folder (default: dist/lambda)")
    pk.add_argument("--models", default=None, metavar="DIR", help="model folder (default: build/models/<version>)")
    pk.set_defaults(func=_package)

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


def _train(args: argparse.Namespace) -> int:
    from mlopsbook.inference import service

    m = service.metrics(_models_dir(args.models))
    c, n = m["classifier"], m["ner"]
    print(f"models {m['version']}")
    print(f"classifier: accuracy {c['accuracy']:.3f}, macro F1 {c['macro_f1']:.3f} on {c['n_docs']} held-out documents")
    print(f"NER: precision {n['precision']:.3f}, recall {n['recall']:.3f}, F1 {n['f1']:.3f} on {n['n_docs']} documents")
    return 0


def _package(args: argparse.Namespace) -> int:
    from mlopsbook.inference import packaging

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: must be a folder (got {args.out})")
    manifest = packaging.build_all(out, _models_dir(args.models))
    lim = manifest["limits_mb"]
    for name, w in sorted(manifest["wheels"].items()):
        print(f"wheel  {w['name']}: {w['size_bytes'] / 1e6:.2f} MB")
    for svc, p in sorted(manifest["packages"].items()):
        zip_ok = "fits" if p["fits_zip_direct_upload"] else "over"
        unz_ok = "fits" if p["fits_unzipped"] else "over"
        print(f"lambda {svc}.zip: {p['zipped_mb']:.1f} MB zipped ({zip_ok} the {lim['zip_direct_upload']:.0f} MB direct "
              f"upload), {p['unzipped_mb']:.1f} MB unzipped ({unz_ok} the {lim['unzipped']:.0f} MB limit); "
              f"needs glibc >= {p['needs_glibc']}")
        for c in p["runtime_checks"]:
            print(f"       {c['runtime']}: {'loads' if c['compatible'] else 'cannot load: ' + c['reason']}")
        print(f"       container recipe: {out / p['container_context']}/Dockerfile")
    print(f"manifest: {out / 'manifest.json'}")
    return 0


def _measure(args: argparse.Namespace) -> int:
    from mlopsbook.inference import measure

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
    from mlopsbook.inference import handlers, service

    path = Path(args.event)
    if not path.is_file():
        raise UsageError(f"EVENT.json: no such file ({args.event})")
    try:
        event = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise UsageError(f"EVENT.json: not JSON ({exc.msg} at line {exc.lineno})") from None
    handler = handlers.make_handler(args.service, service.load_models, stream=sys.stderr)
    print(json.dumps(handler(event, None), indent=1, ensure_ascii=False))
    return 0

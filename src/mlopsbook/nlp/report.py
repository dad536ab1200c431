"""Tables and figures of the CPU-inference page, from the measured profile and the package manifest.

Every table is a pandas DataFrame with rounded values (deterministic display); every figure is made with
:func:`mlopsbook.figures.new` and labelled with units.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

import pandas as pd

from mlopsbook.nlp import corpus


def corpus_table(docs: list[corpus.Document]) -> pd.DataFrame:
    """Documents, mean words and entities per document type."""
    rows = []
    for label in corpus.LABELS:
        ds = [d for d in docs if d.label == label]
        ents = Counter(e.label for d in ds for e in d.entities)
        rows.append({"type": label, "documents": len(ds), "mean words": round(sum(d.n_words for d in ds) / len(ds)),
                     **{lab: ents.get(lab, 0) for lab in corpus.ENTITY_LABELS}})
    return pd.DataFrame(rows).set_index("type")


def quality_table(metrics: Mapping[str, Any]) -> pd.DataFrame:
    """Held-out scores of both models (0..1, 3 decimals)."""
    c, n = metrics["classifier"], metrics["ner"]
    rows = [
        {"model": "classifier", "measure": "accuracy", "value": c["accuracy"], "documents": c["n_docs"]},
        {"model": "classifier", "measure": "macro F1", "value": c["macro_f1"], "documents": c["n_docs"]},
        {"model": "NER", "measure": "precision", "value": n["precision"], "documents": n["n_docs"]},
        {"model": "NER", "measure": "recall", "value": n["recall"], "documents": n["n_docs"]},
        {"model": "NER", "measure": "F1 (all types)", "value": n["f1"], "documents": n["n_docs"]},
    ]
    for label, f1 in n["f1_by_label"].items():
        rows.append({"model": "NER", "measure": f"F1 {label}", "value": f1, "documents": n["n_docs"]})
    df = pd.DataFrame(rows)
    df["value"] = df["value"].round(3)
    return df.set_index(["model", "measure"])


def package_table(manifest: Mapping[str, Any]) -> pd.DataFrame:
    """Model wheels and Lambda zips, their sizes (MB) against Lambda's limits."""
    lim = manifest["limits_mb"]
    rows = []
    for svc, w in sorted(manifest["wheels"].items()):
        rows.append({"artifact": f"{w['name']} ({svc} model wheel)", "zipped MB": round(w["size_bytes"] / 1e6, 2),
                     "unzipped MB": None, f"fits {lim['zip_direct_upload']:.0f} MB upload": None,
                     f"fits {lim['unzipped']:.0f} MB unzipped": None})
    for svc, p in sorted(manifest["packages"].items()):
        rows.append({"artifact": f"{svc}.zip (Lambda)", "zipped MB": round(p["zipped_mb"], 1),
                     "unzipped MB": round(p["unzipped_mb"], 1),
                     f"fits {lim['zip_direct_upload']:.0f} MB upload": p["zipped_mb"] <= lim["zip_direct_upload"],
                     f"fits {lim['unzipped']:.0f} MB unzipped": p["unzipped_mb"] <= lim["unzipped"]})
    return pd.DataFrame(rows).set_index("artifact")


def largest_table(manifest: Mapping[str, Any], top: int = 10) -> pd.DataFrame:
    """What fills each zip: its ``top`` largest distributions, MB unzipped (read from the built zip's files)."""
    rows = []
    for svc, p in sorted(manifest["packages"].items()):
        ranked = sorted(p["distribution_bytes"].items(), key=lambda kv: (-kv[1], kv[0]))
        for name, size in ranked[:top]:
            rows.append({"package": svc, "distribution": name, "version": p["distributions"].get(name, ""),
                         "MB": round(size / 1e6, 1)})
    return pd.DataFrame(rows).set_index(["package", "distribution"])


def runtime_table(manifest: Mapping[str, Any]) -> pd.DataFrame:
    """Each zip against its runtime: the newest glibc its compiled files need, the audit, what was left out."""
    rt = manifest["runtime"]
    rows = []
    for svc, p in sorted(manifest["packages"].items()):
        rows.append({"package": svc, "runtime": f"{rt['runtime']} ({p['arch']}, {rt['os']})",
                     "needs glibc": p["needs_glibc"], "runtime glibc": rt["glibc"],
                     "ELF audit": "passed" if not p["audit_problems"] else "; ".join(p["audit_problems"][:2]),
                     "distributions left out (never imported)": ", ".join(sorted(p["dropped"])) or "none"})
    return pd.DataFrame(rows).set_index("package")


def latency_table(profile: Mapping[str, Any]) -> pd.DataFrame:
    """Warm latency per document (ms) by length and service: p50, p95, p99 (medians over runs)."""
    rows = []
    for words, lat in sorted(profile["latency_by_words"].items(), key=lambda kv: int(kv[0])):
        for svc in ("classify", "entities", "score"):
            s = lat[svc]
            rows.append({"words": int(words), "pages": round(int(words) / corpus.WORDS_PER_PAGE, 1), "service": svc,
                         "p50 ms": round(s["p50_ms"], 1), "p95 ms": round(s["p95_ms"], 1),
                         "p99 ms": round(s["p99_ms"], 1), "documents": s["n"]})
    return pd.DataFrame(rows).set_index(["words", "service"])


def plot_latency(profile: Mapping[str, Any], target_ms: float) -> Any:
    """p50 and p95 latency against document length (log-log), with the target line. Returns the figure."""
    from mlopsbook import figures

    fig, ax = figures.new()
    words = sorted(int(w) for w in profile["latency_by_words"])
    styles = {"classify": "tab:blue", "entities": "tab:orange", "score": "tab:green"}
    for svc, colour in styles.items():
        p50 = [profile["latency_by_words"][str(w)][svc]["p50_ms"] for w in words]
        p95 = [profile["latency_by_words"][str(w)][svc]["p95_ms"] for w in words]
        ax.plot(words, p95, "o-", color=colour, label=f"{svc} p95")
        ax.plot(words, p50, "s--", color=colour, alpha=0.6, label=f"{svc} p50")
    ax.axhline(target_ms, color="k", lw=1, ls=":", label=f"target p95 {target_ms:.0f} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("document length (words; 500 words ≈ 1 page)")
    ax.set_ylabel("latency per document (ms)")
    ax.set_title("Warm latency on one core, one thread (Lambda at 1,769 MB), measured here")
    ax.legend(fontsize=8, ncol=2)
    return fig


def cost_table(unit: Any) -> pd.DataFrame:
    """Cost per million documents: Lambda (measured duration) and an always-on GPU instance (estimated throughput)."""
    u = unit.as_dict()
    rows = [
        {"option": f"Lambda x86, {u['lambda_memory_mb']} MB, {u['lambda_duration_ms']:.0f} ms/doc (measured)",
         "USD per 1M docs": round(u["lambda_usd_per_million"], 2), "USD per month, idle": 0.0},
        {"option": f"g4dn.xlarge always on, 100% busy (throughput estimated: {u['gpu_docs_per_s_estimated']:.0f} docs/s)",
         "USD per 1M docs": round(u["gpu_usd_per_million_full_utilisation"], 2),
         "USD per month, idle": round(u["gpu_usd_per_month_floor"], 2)},
    ]
    return pd.DataFrame(rows).set_index("option")

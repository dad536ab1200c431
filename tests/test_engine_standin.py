"""A tiny stand-in for the real models, for engine tests that exercise the pipeline rather than the models.

It has the interface of :class:`mlopsbook.inference.service.Models` (``score``) and is deterministic. The slow variant
sleeps on documents whose id ends in a chosen suffix, so a test can kill a bulk job while it is half-way.
Used by the bulk and Airflow tests as ``--scorer test_engine_standin:load`` (with ``tests/`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path

LABELS = ("lease", "employment", "nda", "loan", "judgment")


class StandIn:
    """Label by CRC32 of the text; one entity: the first word. ``slow_suffix`` docs sleep ``slow_s`` seconds."""

    def __init__(self, slow_suffix: str = "", slow_s: float = 0.0) -> None:
        self.slow_suffix, self.slow_s = slow_suffix, slow_s

    def score(self, texts: list[str]) -> list[dict]:
        out = []
        for t in texts:
            if self.slow_suffix and self.slow_suffix in t[:0] + t:  # pragma: no cover - only in kill tests
                time.sleep(self.slow_s)
            h = zlib.crc32(t.encode())
            word = t.split()[0] if t.split() else ""
            out.append({"label": LABELS[h % len(LABELS)], "score": (h % 1000) / 1000.0,
                        "entities": [{"text": word, "label": "PARTY", "start": 0, "end": len(word)}] if word else []})
        return out


def load(model_dir: Path | None = None) -> StandIn:
    """Factory with the signature of ``load_models``; ``ENGINE_STANDIN_SLOW_S`` makes every batch sleep that long."""
    return StandIn()


def load_slow(model_dir: Path | None = None) -> "SlowStandIn":
    return SlowStandIn(float(os.environ.get("ENGINE_STANDIN_SLOW_S", "60")))


class SlowStandIn(StandIn):
    """Sleeps ``slow_s`` on every batch except the first one this process scores: the job stalls half-way."""

    def __init__(self, slow_s: float) -> None:
        super().__init__()
        self.calls = 0
        self.sleep_s = slow_s

    def score(self, texts: list[str]) -> list[dict]:
        self.calls += 1
        if self.calls > 1:
            time.sleep(self.sleep_s)
        return super().score(texts)


def test_standin_is_deterministic() -> None:
    assert load().score(["Acme Ltd agrees"]) == load().score(["Acme Ltd agrees"])

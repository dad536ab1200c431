"""Stand-in scorers for engine tests that exercise the pipeline rather than the models.

:class:`StandIn` has the interface of :class:`mlopsbook.nlp.service.Models` (``score``) and is deterministic.
:class:`Stalling` scores exactly one batch across all processes at once (the first to claim a token file) and sleeps
before every other batch: a bulk job using it writes part of its staging folder, then stalls, so a test can kill it
half-way. Used as ``--scorer engine_standin:load`` / ``engine_standin:load_stalling`` with ``tests/support/`` on
``PYTHONPATH``; ``ENGINE_STANDIN_TOKEN`` names the token file.
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path

LABELS = ("lease", "employment", "nda", "loan", "judgment")


class StandIn:
    """Label and score from the CRC32 of the text; one entity: the first word."""

    def score(self, texts: list[str]) -> list[dict]:
        out = []
        for t in texts:
            h = zlib.crc32(t.encode())
            word = t.split()[0] if t.split() else ""
            out.append({"label": LABELS[h % len(LABELS)], "score": (h % 1000) / 1000.0,
                        "entities": [{"text": word, "label": "PARTY", "start": 0, "end": len(word)}] if word else []})
        return out


class Stalling(StandIn):
    """One batch (whichever claims the token first) is scored at once; every other one sleeps ``stall_s`` first."""

    def __init__(self, token: Path, stall_s: float) -> None:
        self.token, self.stall_s = token, stall_s

    def score(self, texts: list[str]) -> list[dict]:
        try:
            os.close(os.open(self.token, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            time.sleep(self.stall_s)
        return super().score(texts)


def load(model_dir: Path | None = None) -> StandIn:
    return StandIn()


def load_stalling(model_dir: Path | None = None) -> Stalling:
    return Stalling(Path(os.environ["ENGINE_STANDIN_TOKEN"]), float(os.environ.get("ENGINE_STANDIN_STALL_S", "120")))


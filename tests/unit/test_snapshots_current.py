"""Every committed snapshot is current: its execution record's key matches the tree (keys only, no execution).

A snapshot whose recorded inputs (its code cells, the modules it imported, the files it read, the pins) changed since
it was made fails here, named with the command that refreshes it."""

from __future__ import annotations

import pytest

from mlopsbook.paths import repo_root
from mlopsbook.publishing import execution, snapshots

NOTEBOOKS = snapshots.notebook_sources()


@pytest.mark.parametrize("md", NOTEBOOKS, ids=lambda p: p.relative_to(repo_root()).as_posix())
def test_snapshot_is_current(md):
    stale = execution.stale_message(md)
    if stale:
        rec = execution.snapshot_record(snapshots.snapshot_path(md))
        changed = execution.changed_inputs(rec, repo_root()) if rec else ["(no execution record)"]
        pytest.fail(f"{stale}\nchanged since it ran: {', '.join(changed) or 'its code cells or the Python version'}",
                    pytrace=False)


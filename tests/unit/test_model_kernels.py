"""The shipped models give the same outputs whatever x86-64 kernels compute them: each family forced in a fresh
process (BLIS sub-configuration, OpenBLAS core type, NumPy SIMD level), compared as the book shows numbers."""

from __future__ import annotations

import pytest

from mlopsbook.errors import MlopsbookError
from mlopsbook.formatting import percent
from mlopsbook.nlp import kernels

FORCED = ("native", "skx", "haswell", "zen2", "sandybridge", "generic")


@pytest.fixture(scope="module")
def rows():
    try:
        kernels.shim()
    except MlopsbookError as exc:  # no C compiler on this machine: nothing can be forced
        pytest.skip(str(exc))
    return kernels.compare([kernels.family(k) for k in FORCED], n_docs=60)


def test_every_runnable_family_gives_the_same_labels_spans_and_shown_scores(rows):
    ran = [r for r in rows if not r.error]
    assert len(ran) >= 2, [r.error for r in rows]
    for r in rows:
        assert r.same or r.error.startswith("not run"), r
    assert len({r.scores for r in ran}) == 1


def test_the_kernels_were_really_forced(rows):
    for r in rows:
        f = kernels.family(r.family)
        if r.error or f.blis is None:
            continue
        assert r.blis == f.blis  # BLIS selected the sub-configuration asked for
        assert r.openblas  # and OpenBLAS reported the core type it runs
    generic = next(r for r in rows if r.family == "generic")
    assert generic.blis_bits_differ  # the reference kernels round differently: the comparison is not vacuous
    assert generic.numpy_simd == "x86-64-v2"


def test_probabilities_are_compared_as_shown_not_bit_for_bit():
    assert percent(0.98765432) == percent(0.98765431)
    with pytest.raises(MlopsbookError, match="unknown 'power9'"):
        kernels.family("power9")


def test_a_family_the_cpu_lacks_is_reported_not_run():
    f = kernels.Family("future", "a CPU with an instruction nobody has", "generic", None, None, ("avx1024",))
    assert kernels.run(f, n_docs=1) == {"error": "not run: this CPU lacks avx1024"}

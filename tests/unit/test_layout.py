"""The package layout holds: no import cycle between modules, only ``cli/`` imports the CLI, ``publishing.claims`` is a
leaf, and the deployable engine imports neither the lab nor the CLI.

Imports are read with :mod:`ast` from every module under ``src/mlopsbook`` (those inside functions too: a lazy import
still ties two modules together), so the check runs without importing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

CLAIMS_MAY_IMPORT = {"mlopsbook.errors", "mlopsbook.validation", "mlopsbook.formatting"}
"""What the claim/verdict model may import from the library: base utilities, nothing that reads a post."""


def _modules(src: Path) -> dict[str, Path]:
    out = {}
    for path in sorted((src / "mlopsbook").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The library modules ``name`` imports (``from pkg import mod`` counts as ``pkg.mod`` when that is a module)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                found.add(sub if sub in modules else mod)
    return {m for m in found if m in modules and m != name}


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the library modules it imports, for every module under ``src/mlopsbook``."""
    modules = _modules(src)
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (each holds at least one import cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_cycle_finder_finds_a_cycle_and_a_self_contained_chain_has_none() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_reads_lazy_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "mlopsbook" / "p"
    pkg.mkdir(parents=True)
    (tmp_path / "mlopsbook" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from mlopsbook.p import b\n")
    (pkg / "b.py").write_text("from . import a\n")
    g = import_graph(tmp_path)
    assert g["mlopsbook.p.a"] == {"mlopsbook.p.b"} and g["mlopsbook.p.b"] == {"mlopsbook.p.a"}
    assert cycles(g) == [["mlopsbook.p.a", "mlopsbook.p.b"]]


def test_no_import_cycle_between_library_modules(graph: dict[str, set[str]]) -> None:
    assert len(graph) > 50, "the walk found the library"
    assert cycles(graph) == []


def test_only_the_cli_imports_the_cli(graph: dict[str, set[str]]) -> None:
    offenders = {m: sorted(d for d in deps if _inside(d, "mlopsbook.cli"))
                 for m, deps in graph.items() if not _inside(m, "mlopsbook.cli") and m != "mlopsbook.__main__"}
    assert {m: d for m, d in offenders.items() if d} == {}


def test_claims_is_a_leaf(graph: dict[str, set[str]]) -> None:
    assert graph["mlopsbook.publishing.claims"] <= CLAIMS_MAY_IMPORT


def test_the_engine_imports_neither_the_lab_nor_the_cli(graph: dict[str, set[str]]) -> None:
    engine = {m: sorted(d for d in deps if _inside(d, "mlopsbook.lab") or _inside(d, "mlopsbook.cli"))
              for m, deps in graph.items() if _inside(m, "mlopsbook.engine")}
    assert {m: d for m, d in engine.items() if d} == {}



ENGINE_MAY_IMPORT = ("mlopsbook.engine", "mlopsbook.nlp.corpus", "mlopsbook.nlp.classifier", "mlopsbook.nlp.ner",
                     "mlopsbook.nlp.service", "mlopsbook.nlp.artefact", "mlopsbook.nlp.training", "mlopsbook.nlp",
                     "mlopsbook.errors", "mlopsbook.inputs", "mlopsbook.validation",
                     "mlopsbook.paths", "mlopsbook.facts", "mlopsbook.publishing.runtime_budget",
                     "mlopsbook.publishing", "mlopsbook")
"""What the engine image runs from the library: the engine, the models it serves, base utilities (errors, the input
reader, validation), and the Ray memory budget (the package ``__init__`` files on the way)."""
IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml"}
"""Distribution name -> the module it installs, where they differ."""
ENGINE_IMAGE_EXTRA = {"starlette", "pydantic", "yaml", "psutil", "jsonschema", "blis"}
"""Third-party modules the engine's modules import that its requirements do not name: ``starlette``, ``pydantic`` and
``yaml`` come with ``ray[serve,data]``; ``blis`` with ``spacy`` (through thinc; ``nlp.artefact`` reads its kernel
family when an artefact is made); ``psutil`` is imported only inside
``publishing.runtime_budget.process_tree_pss_bytes`` (a notebook kernel's memory, never called in the cluster) and
``jsonschema`` only by ``engine.manifest_checks``, which runs beside ``kubectl``, not in the cluster."""


def _closure(graph: dict[str, set[str]], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        parts = m.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in graph)
        todo.extend(graph[m])
    return seen


def _third_party(path: Path) -> set[str]:
    import sys

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"mlopsbook", "__future__"}


def test_the_engine_image_holds_everything_the_engine_imports_and_nothing_else(graph: dict[str, set[str]]) -> None:
    engine = _closure(graph, [m for m in graph if _inside(m, "mlopsbook.engine")])
    assert sorted(m for m in engine if m not in ENGINE_MAY_IMPORT and not _inside(m, "mlopsbook.engine")) == []
    reqs = (SRC.parent / "deploy" / "kuberay" / "requirements.txt").read_text().splitlines()
    pins = dict(line.split("==") for line in reqs if line and not line.startswith("#"))
    image = {IMPORT_NAMES.get(d.split("[")[0], d.split("[")[0]) for d in pins} | ENGINE_IMAGE_EXTRA
    modules = _modules(SRC)
    imported = set().union(*(_third_party(modules[m]) for m in engine))
    assert sorted(imported - image) == []
    book = dict(line.split("==") for line in (SRC.parent / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert {d: v for d, v in pins.items() if book.get(d) != v} == {}, "the image pins what the book pins"

"""Audit the compiled files of a deployment zip the way ``auditwheel`` audits a wheel, with ``pyelftools``.

For every ELF file in the zip (extension modules, and the shared libraries vendored next to them in ``*.libs/``):

- the newest ``GLIBC_x.y`` symbol version it needs (``.gnu.version_r``): it must not exceed the runtime's glibc;
- its machine (``x86_64`` / ``aarch64``): it must match the function's architecture;
- for an extension module (a file that exports ``PyInit_<name>``): its file name must carry the runtime's CPython
  tag (``.cpython-312-x86_64-linux-gnu.so``) or the stable ABI (``.abi3.so``), or the interpreter cannot import it;
- each library it links (``DT_NEEDED``) is in the zip or one the manylinux policy lets a wheel expect from the
  system (:data:`SYSTEM_LIBS`).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM_LIBS = frozenset({
    "libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "libutil.so.1", "libresolv.so.2",
    "libnsl.so.1", "libgcc_s.so.1", "libstdc++.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
    "libcrypt.so.1", "libz.so.1", "libexpat.so.1",
})
"""Libraries a manylinux wheel may link without vendoring them (the manylinux policies' allow-list, PEP 599/600,
as auditwheel applies it; ``libz``/``libexpat`` are in the older policies' list)."""

MACHINES = {"EM_X86_64": "x86_64", "EM_AARCH64": "arm64"}


@dataclass(frozen=True)
class ElfFile:
    """One ELF file of a zip: its path, machine, newest glibc symbol version needed, libraries linked, and the
    module name if it is a Python extension module."""

    path: str
    machine: str
    glibc: tuple[int, int] | None
    needed: tuple[str, ...]
    extension: str | None


@dataclass
class Audit:
    """The audit of one zip against a runtime: every ELF file and each problem found (empty when it passes)."""

    files: list[ElfFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def max_glibc(self) -> tuple[int, int] | None:
        versions = [f.glibc for f in self.files if f.glibc is not None]
        return max(versions) if versions else None


def read_elf(path: str, data: bytes) -> ElfFile | None:
    """The facts of one file, or ``None`` if it is not an ELF file."""
    if not data.startswith(b"\x7fELF"):
        return None
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    elf = ELFFile(io.BytesIO(data))
    glibc: tuple[int, int] | None = None
    needed: list[str] = []
    extension = None
    for sec in elf.iter_sections():
        if isinstance(sec, GNUVerNeedSection):
            for _, auxs in sec.iter_versions():
                for aux in auxs:
                    m = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", aux.name)
                    if m:
                        v = (int(m.group(1)), int(m.group(2)))
                        glibc = v if glibc is None or v > glibc else glibc
        elif isinstance(sec, DynamicSection):
            needed.extend(t.needed for t in sec.iter_tags() if t.entry.d_tag == "DT_NEEDED")
        if sec.name == ".dynsym":
            for sym in sec.iter_symbols():
                if sym.name.startswith("PyInit_") and sym["st_shndx"] != "SHN_UNDEF":
                    extension = sym.name[len("PyInit_"):]
    machine = MACHINES.get(elf["e_machine"], str(elf["e_machine"]))
    return ElfFile(path, machine, glibc, tuple(needed), extension)


def audit_zip(zip_path: Path, *, glibc: tuple[int, int], abi: str, arch: str = "x86_64") -> Audit:
    """Audit every ELF file in ``zip_path`` for a runtime with ``glibc``, CPython ABI ``abi`` (``cp312``) and
    ``arch``; see the module docstring for the rules."""
    py = abi[2:]
    multiarch = {"x86_64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[arch]
    suffixes = (f".cpython-{py}-{multiarch}.so", ".abi3.so")
    out = Audit()
    with zipfile.ZipFile(zip_path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        sonames = {Path(n).name for n in names}
        for name in names:
            with zf.open(name) as fh:
                head = fh.read(4)
            if head != b"\x7fELF":
                continue
            f = read_elf(name, zf.read(name))
            assert f is not None
            out.files.append(f)
            if f.machine != arch:
                out.problems.append(f"{name}: built for {f.machine}, the function runs on {arch}")
            if f.glibc is not None and f.glibc > glibc:
                out.problems.append(f"{name}: needs GLIBC_{f.glibc[0]}.{f.glibc[1]}, the runtime has "
                                    f"{glibc[0]}.{glibc[1]}")
            if f.extension is not None and not name.endswith(suffixes):
                out.problems.append(f"{name}: extension module not built for CPython {abi} (expected a name ending "
                                    f"in {suffixes[0]} or {suffixes[1]})")
            for lib in f.needed:
                if lib not in sonames and lib not in SYSTEM_LIBS:
                    out.problems.append(f"{name}: links {lib}, which is neither in the zip nor a system library")
    return out

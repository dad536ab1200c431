"""The AWS Lambda toolchain: what it takes to run a Python model service on Lambda, and to check it here.

Modules: :mod:`runtime_facts` (the Lambda Python runtimes, their limits and the CPython that stands in for one),
:mod:`distributions` (installed distributions, their files and wheel names), :mod:`wheelhouse` (locked,
hash-checked wheels for a runtime), :mod:`model_wheels` (the models as pip wheels), :mod:`packaging` (reproducible
zip packages and container contexts), :mod:`elf_audit` (the shared libraries a package ships, checked against the
runtime), :mod:`runtime_api` (the Lambda Runtime API, emulated), :mod:`runtime_measure` (a dated measurement of the
packages under that emulator), :mod:`sam_template` (the SAM template) and :mod:`handlers` (the Lambda handlers).

Importing this package does not import the models or any heavy library.
"""

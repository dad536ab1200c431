"""Real, lightweight NLP services measured on CPU: the models and their measurement.

Modules: :mod:`corpus` (a seeded generator of legal-style documents with labels and entity annotations),
:mod:`classifier` (scikit-learn document classifier), :mod:`linear_text` (the classifier exported for NumPy),
:mod:`ner` (spaCy entity recogniser trained from a blank pipeline, plus rules), :mod:`artefact` (the models trained
once and shipped in ``data/models/``, with their manifest and staleness check), :mod:`kernels` (their outputs under
forced CPU kernel families), :mod:`service` (the model API shared by Lambda, Ray Serve and Ray Data),
:mod:`measure` (latency, throughput and memory on one emulated Lambda vCPU), and the
page output of those measurements: :mod:`report` (tables and figures) and :mod:`unit_cost` (cost per million
documents).

Importing this package is cheap: heavy libraries (scikit-learn, spaCy) are imported by the modules that need them.
"""

"""Real, lightweight NLP services measured on CPU: the models behind the post's second task.

Modules: :mod:`corpus` (a seeded generator of legal-style documents with labels and entity annotations),
:mod:`classifier` (scikit-learn document classifier), :mod:`ner` (spaCy entity recogniser trained from a blank
pipeline, plus rules), :mod:`service` (the model API shared by Lambda, Ray Serve and Ray Data), :mod:`handlers`
(AWS Lambda handlers for API Gateway proxy events), :mod:`packaging` (model wheels and reproducible Lambda zips),
:mod:`measure` (latency, throughput and memory on one emulated Lambda vCPU) and :mod:`verdicts`.

Importing this package is cheap: heavy libraries (scikit-learn, spaCy) are imported by the modules that need them.
"""

"""Entry module of the named-entity Lambda (handler setting: ``entities_function.handler``).

Loading the pipeline here, at import, puts it in Lambda's INIT phase: once per execution environment, not per
request. The pipeline comes from its pip-installed wheel (``en_legal_ner``, built with ``spacy package``).
"""

import time

from mlopsbook.lambdakit import handlers
from mlopsbook.nlp import service

_t0 = time.perf_counter()
MODELS = service.load_installed(classifier=False, ner=True)
handlers.log_line({"event": "init", "service": "entities", "model_version": MODELS.version,
                   "duration_ms": round((time.perf_counter() - _t0) * 1000.0, 3)})
handler = handlers.make_handler("entities", MODELS)

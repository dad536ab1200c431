"""Entry module of the document-classification Lambda (handler setting: ``classify_function.handler``).

Loading the model here, at import, puts it in Lambda's INIT phase: once per execution environment, not per request.
The model comes from its pip-installed wheel (``mlopsbook_legal_classifier``) inside the deployment package.
"""

import time

from mlopsbook.lambdakit import handlers
from mlopsbook.nlp import service

_t0 = time.perf_counter()
MODELS = service.load_installed(classifier=True, ner=False)
handlers.log_line({"event": "init", "service": "classify", "model_version": MODELS.version,
                   "duration_ms": round((time.perf_counter() - _t0) * 1000.0, 3)})
handler = handlers.make_handler("classify", MODELS)

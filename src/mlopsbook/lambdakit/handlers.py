"""AWS Lambda handlers for the two services, behind an API Gateway REST API (proxy integration, payload 1.0) or an
HTTP API (payload 2.0).

Contract (``POST``, ``Content-Type: application/json``, body ``{"text": "..."}``):

- ``200`` with ``{"label", "score"}`` (classify), ``{"entities": [...]}`` (entities) or both (score);
- ``400`` empty body, invalid base64, not JSON, nested too deeply, not a JSON object, an event field of the wrong
  type (``headers`` or ``requestContext`` that is not an object); ``405`` a method other than POST;
  ``413`` a body longer than :data:`service.MAX_BODY_BYTES` (refused before parsing) or a text longer than
  :data:`service.MAX_TEXT_CHARS`; ``415`` a content type other than JSON;
  ``422`` ``text`` missing, not a string, blank, or an unexpected key. Every error body is
  ``{"error": {"status": int, "message": str}}`` and says what was expected;
- ``500`` ``{"error": {"status": 500, "message": "internal error", "request_id": ...}}`` on a bug (details only in
  the log).

Base64-encoded bodies (``isBase64Encoded: true``) are decoded. Each invocation writes one structured JSON log line
(``event``, ``service``, ``request_id``, ``status``, ``duration_ms``, ``n_chars``, and ``error`` for a 4xx/5xx) to
stdout, where Lambda sends it to CloudWatch Logs.

Models are loaded once per execution environment, at import of the entry module (Lambda's INIT phase), through
:func:`make_handler`.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
import time
import traceback
from typing import Any, Callable, Mapping, TextIO

from mlopsbook.errors import MlopsbookError
from mlopsbook.nlp.service import MAX_BODY_BYTES, MAX_TEXT_CHARS, InvalidRequest, Models, validate_document

SERVICES = ("classify", "entities", "score")
"""What a handler answers: the document type, the entities, or both."""

Handler = Callable[[Mapping[str, Any], Any], dict[str, Any]]


MAX_EVENT_BYTES = 8 * MAX_BODY_BYTES
"""Largest event file ``mlopsbook infer invoke`` reads (a body of :data:`service.MAX_BODY_BYTES`, base64 and
headers)."""


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    """``value`` when it is a mapping (``None`` as empty); else a 400 naming the field."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRequest(400, f"{name} must be an object (got {type(value).__name__})")
    return value


def _header(headers: Any, name: str) -> str | None:
    """A header's value, case-insensitively (API Gateway passes headers as the client sent them)."""
    for k, v in _mapping(headers, "headers").items():
        if str(k).lower() == name:
            return None if v is None else str(v)
    return None


def _method(event: Mapping[str, Any]) -> str | None:
    if "httpMethod" in event:  # REST API, payload format 1.0
        return str(event["httpMethod"])
    ctx = _mapping(event.get("requestContext"), "requestContext")  # HTTP API, payload format 2.0
    http = _mapping(ctx.get("http"), "requestContext.http")
    return str(http["method"]) if "method" in http else None


def parse_event(event: Mapping[str, Any]) -> str:
    """The document text of an API Gateway proxy event; raises :class:`InvalidRequest` (4xx) otherwise."""
    if not isinstance(event, Mapping):
        raise InvalidRequest(400, f"event must be an API Gateway proxy event object (got {type(event).__name__})")
    method = _method(event)
    if method is not None and method.upper() != "POST":
        raise InvalidRequest(405, f"method {method} not allowed; use POST")
    content_type = _header(event.get("headers"), "content-type")
    if content_type is None or content_type.split(";")[0].strip().lower() != "application/json":
        raise InvalidRequest(415, f"Content-Type must be application/json (got {content_type or 'none'})")
    body = event.get("body")
    if body is None or body == "":
        raise InvalidRequest(400, 'empty body; send {"text": "..."}')
    if not isinstance(body, str):
        raise InvalidRequest(400, f"body must be a string (got {type(body).__name__})")
    limit = MAX_BODY_BYTES * 4 // 3 + 4 if event.get("isBase64Encoded") else MAX_BODY_BYTES
    if len(body) > limit:
        raise InvalidRequest(413, f"body has {len(body):,} characters; the limit is {limit:,} (one document of at "
                                  f"most {MAX_TEXT_CHARS:,} characters)")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
            body = raw.decode("utf-8")
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest(400, f"body is marked base64 but does not decode to UTF-8 text ({exc})") from None
    if not body.strip():
        raise InvalidRequest(400, 'empty body; send {"text": "..."}')
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(400, f"body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:  # the parser's nesting bound; a valid body nests one level
        raise InvalidRequest(400, 'body nests too deeply; send {"text": "..."}') from None
    return validate_document(payload)


def _response(status: int, body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "isBase64Encoded": False,
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
    }


def _request_id(event: Mapping[str, Any], context: Any) -> str:
    rid = getattr(context, "aws_request_id", None)
    if rid:
        return str(rid)
    ctx = event.get("requestContext") if isinstance(event, Mapping) else None
    return str(ctx.get("requestId", "")) if isinstance(ctx, Mapping) else ""


def log_line(record: Mapping[str, Any], stream: TextIO | None = None) -> None:
    """Write one structured log record as a single JSON line (to stdout by default)."""
    out = stream if stream is not None else sys.stdout
    out.write(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    out.flush()


def make_handler(service: str, models: Models | Callable[[], Models], *, stream: TextIO | None = None) -> Handler:
    """A Lambda handler ``handler(event, context) -> response`` for ``service`` (one of :data:`SERVICES`).

    ``models`` is a :class:`Models` or a function returning one (called once, on first use). ``stream`` receives the
    JSON log lines (stdout by default). Raises ``ValueError`` naming an unknown service.
    """
    if service not in SERVICES:
        raise MlopsbookError(f"service: must be one of {', '.join(SERVICES)} (got {service!r})")
    cache: list[Models] = [models] if isinstance(models, Models) else []

    def get_models() -> Models:
        if not cache:
            cache.append(models())  # type: ignore[operator]
        return cache[0]

    def answer(text: str) -> dict[str, Any]:
        m = get_models()
        if service == "classify":
            return m.classify([text])[0]
        if service == "entities":
            return {"entities": m.entities([text])[0]}
        return m.score([text])[0]

    def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        record: dict[str, Any] = {"event": "request", "service": service, "request_id": _request_id(event, context)}
        try:
            text = parse_event(event)
            record["n_chars"] = len(text)
            status, body = 200, answer(text)
        except InvalidRequest as exc:
            status, body = exc.status_code, {"error": {"status": exc.status_code, "message": exc.message}}
            record["error"] = exc.message
        except Exception as exc:  # a bug: answer 500, keep the details in the log only
            status = 500
            body = {"error": {"status": 500, "message": "internal error", "request_id": record["request_id"]}}
            record["error"] = f"{type(exc).__name__}: {exc}"
            record["traceback"] = traceback.format_exc()
        record["status"] = status
        record["duration_ms"] = round((time.perf_counter() - t0) * 1000.0, 3)
        log_line(record, stream)
        return _response(status, body)

    handler.__name__ = f"{service}_handler"
    return handler

"""One way to check a parameter at the library's edge (as scikit-learn's ``utils.validation``).

Each helper returns the checked value (so ``x = check_number(x, "x", low=0)`` reads as one step) and raises the
caller's error class (default :class:`~mlopsbook.errors.MlopsbookError`) with the message
``NAME: must be ... (got VALUE)``, the convention every module and the command line share.
"""

from __future__ import annotations

import math
from typing import Any, Collection, Iterable

import numpy as np

from mlopsbook.errors import MlopsbookError


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return "a finite number"


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, integer: bool = False,
                 error: type[Exception] = MlopsbookError, note: str = "") -> Any:
    """``value`` as a finite number (an int when ``integer``) within the given bounds, else ``error``.

    ``low_open``/``high_open`` exclude the bound. ``note`` is appended to the requirement (e.g. a fact id, ``"(aws.lambda.memory.max_mb)"``).
    Booleans are refused (``True`` is not a count).
    """
    bounds = _interval(low, high, low_open, high_open)
    what = ("an integer" if integer else "a finite number") + ("" if bounds == "a finite number" else " " + bounds)
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (not integer or v == int(v))
        ok = ok and (low is None or (v > low if low_open else v >= low))
        ok = ok and (high is None or (v < high if high_open else v <= high))
    if not ok:
        raise error(f"{name}: must be {what}{(' ' + note) if note else ''} (got {value!r})")
    return int(value) if integer else value


def check_choice(value: Any, name: str, choices: Collection[Any] | Iterable[Any], *,
                 error: type[Exception] = MlopsbookError) -> Any:
    """``value`` if it is one of ``choices``, else ``error`` listing them."""
    options = list(choices)
    if value not in options:
        raise error(f"{name}: must be one of {', '.join(map(str, options))} (got {value!r})")
    return value

"""The one error base class of the library.

Every error that reports bad input (a malformed post, price table, scenario, profile, scorecard, a value out of range)
is a :class:`MlopsbookError`. It is a :class:`ValueError`, so callers that caught ``ValueError`` keep working; its
message is one line that names the file or field and what is wrong. The command line maps it to exit status 2 in one
place (:func:`mlopsbook.cli.main`).
"""

from __future__ import annotations


class MlopsbookError(ValueError):
    """Bad input: the message names the file or field and what is wrong, in one line."""


class UsageError(MlopsbookError):
    """Bad input on the command line (a flag's value): printed as one line naming the flag, exit status 2."""


class StaleMeasurementError(MlopsbookError):
    """A recorded measurement no longer matches the code it measured; the message says how to re-measure."""


class StaleModelError(StaleMeasurementError):
    """The shipped models were made by other model code than the current one; the message names the command that
    retrains them."""


class ModelArtefactError(MlopsbookError):
    """A model artefact that is missing, incomplete or altered: the message names the folder or file."""

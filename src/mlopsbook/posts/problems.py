"""What is wrong with a post, or worth telling its author: one line each, naming the file, the line and the field."""

from __future__ import annotations

from dataclasses import dataclass

from mlopsbook.errors import MlopsbookError


@dataclass(frozen=True)
class Problem:
    """One thing about a post: printed as ``FILE[:LINE]: FIELD: message``.

    ``severity`` is ``"error"`` (the post cannot be used as it is), ``"warning"`` (the import changed or kept
    something the author should look at) or ``"note"`` (informative: a field the book keeps but does not use).
    """

    file: str
    field: str
    message: str
    line: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {self.field}: {label}{self.message}"


class PostError(MlopsbookError):
    """A post that cannot be used; ``problems`` lists everything wrong with it (the first names the cause)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems

    @classmethod
    def one(cls, file: object, field: str, message: str, line: int | None = None) -> "PostError":
        return cls([Problem(str(file), field, message, line)])

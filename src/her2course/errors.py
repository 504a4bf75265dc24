"""One error type for every data file problem, so that each message names the file, the item and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file."""

    file: Path | str
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [str(self.file)]
        if self.item:
            where.append(f"item '{self.item}'")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}"


class DataError(ValueError):
    """Raised when a data file cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the course data:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def print_problems(problems: list[Problem]) -> int:
    """Print every problem to stderr under a count and return the exit code (1 if any, else 0)."""
    import sys

    if not problems:
        return 0
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    return 1

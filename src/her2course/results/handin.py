"""Reading one hand-in file safely: size capped before parsing, strict UTF-8 and JSON, bounded numbers and nesting.

Every problem is a :class:`ResultsError` whose message names what is wrong, so that one bad file is reported
and skipped while the rest of the class is marked.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from .names import visible

SCHEMA = "her2course-results"
SCHEMA_VERSION = 2
ASSIGNMENT_ID = re.compile(r"^asg-[0-9a-f]{12}$")
MAX_BYTES = 256 * 1024  # a results file of the largest assignment is a few tens of KB
MAX_NAME = 200  # characters in a student's name
MAX_DIGITS = 15  # digits in a whole number (attempt counts, numeric answers typed as numbers)
MAX_ATTEMPTS = 1_000_000


class ResultsError(ValueError):
    """A results file (or an assignment) that cannot be used; the message says why."""


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ResultsError(message)


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    _require(digits <= MAX_DIGITS, f"holds a number with {digits} digits (at most {MAX_DIGITS} are allowed)")
    return int(text)


def _parse_float(text: str) -> float:
    _require(len(text) <= 40, f"holds a number {len(text)} characters long")
    value = float(text)
    _require(math.isfinite(value), f"holds a number too large to use ({text[:20]})")
    return value


def _parse_constant(text: str) -> Any:
    raise ResultsError(f"holds {text}, which is not valid JSON")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        _require(key not in out, f"has the field '{key[:40]}' twice in one object")
        out[key] = value
    return out


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file (no link, pipe or device) of at most MAX_BYTES,
    checked before reading."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise ResultsError(f"cannot be read ({exc.strerror or exc})") from None
    _require(not stat.S_ISLNK(st.st_mode), "is a symbolic link, not a handed-in file")
    _require(stat.S_ISREG(st.st_mode), "is not a regular file")
    _require(st.st_size <= MAX_BYTES, f"is too large ({st.st_size:,} bytes; a results file is at most "
                                      f"{MAX_BYTES // 1024} KB): not a results file")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ResultsError(f"cannot be read ({exc.strerror or exc})") from None
    _require(len(data) <= MAX_BYTES, f"grew past {MAX_BYTES // 1024} KB while being read: not a results file")
    return data


def parse(data: bytes) -> Any:
    """Strict JSON from UTF-8 bytes: no NaN, no duplicate keys, bounded numbers and nesting."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsError(f"is not UTF-8 text (byte {exc.start}): not a results .json file") from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant,
                          object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ResultsError("is nested too deeply to be a results file") from None
    except ResultsError as exc:
        raise ResultsError(f"is not a usable results file: it {exc}") from None
    except ValueError as exc:  # e.g. a number beyond Python's digit limit
        raise ResultsError(f"is not a usable results file ({str(exc)[:120]})") from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(data: Any) -> dict[str, Any]:
    """A results record with the expected shape; anything it says about scores is dropped."""
    _require(isinstance(data, dict), "is not a results file: expected a JSON object")
    _require(data.get("schema") == SCHEMA, f"is not a results file: 'schema' should be '{SCHEMA}'")
    version = data.get("schema_version")
    _require(version != 1, "was made by an older version of the course (schema_version 1 stores scores, not "
                           "answers): ask the student to save the results file again")
    _require(version == SCHEMA_VERSION,
             f"has schema_version {str(version)[:20]!s}; this version of the course reads {SCHEMA_VERSION}")
    for key in ("assignment", "student", "answers"):
        _require(key in data, f"lacks the field '{key}'")
    assignment = data["assignment"]
    _require(isinstance(assignment, str) and bool(ASSIGNMENT_ID.match(assignment)),
             f"has 'assignment' {str(assignment)[:40]!r}, which is not an assignment id")
    student = data["student"]
    _require(isinstance(student, str) and visible(student), "has an empty 'student' name")
    _require(len(student) <= MAX_NAME, f"has a 'student' name {len(student)} characters long (at most {MAX_NAME})")
    answers = data["answers"]
    _require(isinstance(answers, dict), "has 'answers' that is not an object {item id: {response, ...}}")
    clean: dict[str, dict[str, Any]] = {}
    for item, entry in answers.items():
        label = item[:60]
        _require(len(item) <= 100, f"has an item id {len(item)} characters long")
        _require(isinstance(entry, dict) and "response" in entry, f"item '{label}' has no 'response'")
        attempts = entry.get("attempts", 0)
        _require(_is_int(attempts) and 0 <= attempts <= MAX_ATTEMPTS,
                 f"item '{label}' has 'attempts' that is not a whole number from 0 to {MAX_ATTEMPTS:,}")
        revealed = entry.get("revealed", False)
        _require(isinstance(revealed, bool), f"item '{label}' has 'revealed' that is not true or false")
        clean[item] = {"response": entry["response"], "attempts": attempts, "revealed": revealed}
    exported = data.get("exported_at")
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "assignment": assignment, "student": student,
            "answers": clean, "exported_at": exported[:40] if isinstance(exported, str) else ""}


def read_results(path: Path) -> dict[str, Any]:
    """A validated results file (see :func:`validate`); ResultsError says what is wrong with it."""
    return validate(parse(read_bytes(Path(path))))

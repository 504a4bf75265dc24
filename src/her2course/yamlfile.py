"""Reading YAML data files and turning validation failures into named problems."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DataError, Problem

M = TypeVar("M", bound=BaseModel)

# libyaml's parser (shipped in PyYAML's wheels) reads the same YAML about ten times faster than the pure-Python one;
# the pure-Python loader stays as the fallback for a PyYAML built without it
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a missing file or a syntax error becomes a DataError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError([Problem(path, None, None, "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise DataError([Problem(path, None, None, f"not UTF-8 text ({exc.reason})")]) from None
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise DataError([Problem(path, None, None, f"invalid YAML at {where}{reason}")]) from None


def _field_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(item)"


def validate_items(
    path: Path, raw: Any, model: type[M], *, list_key: str, id_field: str = "id"
) -> tuple[list[M], list[Problem]]:
    """Validate ``raw[list_key]`` item by item; return the good items and a problem per bad field.

    Every item is checked, so one run reports every problem in the file.
    """
    problems: list[Problem] = []
    if not isinstance(raw, dict) or not isinstance(raw.get(list_key), list):
        got = type(raw).__name__ if not isinstance(raw, dict) else f"keys {sorted(raw)}"
        return [], [Problem(path, None, list_key, f"expected a mapping with a list under '{list_key}', got {got}")]
    items: list[M] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw[list_key]):
        label = entry.get(id_field) if isinstance(entry, dict) else None
        name = str(label) if label else f"#{index + 1} (no {id_field})"
        if not isinstance(entry, dict):
            problems.append(Problem(path, name, None, f"expected a mapping, got {type(entry).__name__}"))
            continue
        if label in seen:
            problems.append(Problem(path, name, id_field, f"duplicate {id_field} (also item #{seen[label] + 1})"))
        elif label:
            seen[label] = index
        try:
            items.append(model.model_validate(entry))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(path, name, _field_path(err["loc"]), _message(err)))
    return items, problems


def _message(err: dict[str, Any]) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling against the schema)"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def read_model(path: Path, model: type[M], item: str | None = None) -> tuple[M | None, list[Problem]]:
    """Read one YAML file that is a single mapping and validate it as ``model``; every problem named by field."""
    try:
        raw = read_yaml(path)
    except DataError as exc:
        return None, exc.problems
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [Problem(path, item, _field_path(e["loc"]), _message(e)) for e in exc.errors()]


def load_model(path: Path, model: type[M]) -> M:
    """``read_model`` for the library: cached until the file changes; a DataError lists every problem."""
    if not path.is_file():
        raise DataError([Problem(path, None, None, "file not found")])
    return _model_cached(model, str(path.resolve()), path.stat().st_mtime)


@lru_cache(maxsize=32)
def _model_cached(model: type[M], path: str, mtime: float) -> M:
    value, problems = read_model(Path(path), model)
    if value is None:
        raise DataError(problems)
    return value


def validate_file(
    path: Path,
    bib_path: Path,
    model: type[M],
    *,
    list_key: str,
    id_field: str = "id",
    references: Callable[[M], list[tuple[str, list[str]]]] = lambda item: [("references", item.references)],
) -> tuple[list[M], list[Problem]]:
    """Read, validate every item, and check every reference key against the bibliography.

    ``references`` gives each item's (field, keys) pairs, so a missing key is reported with the field citing it.
    """
    from .references import load_bibliography, missing_keys

    try:
        raw = read_yaml(path)
    except DataError as exc:
        return [], exc.problems
    items, problems = validate_items(path, raw, model, list_key=list_key, id_field=id_field)
    try:
        bib = load_bibliography(bib_path)
    except DataError as exc:
        return items, problems + exc.problems
    for item in items:
        name = str(getattr(item, id_field))
        for field, keys in references(item):
            problems += missing_keys(bib, path, name, field, keys)
    return items, problems


def named_file(name: str | Path, folder: Path, kind: str) -> Path:
    """The data file for an id (``folder/<id>.yaml``) or an explicit ``.yaml`` path; a DataError lists the known ids."""
    path = Path(name)
    if path.suffix not in (".yaml", ".yml"):
        path = folder / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) if folder.is_dir() else ""
        raise DataError([Problem(path, None, None, f"no {kind} '{name}' (known: {known or 'none'})")])
    return path


def load_named(name: str | Path, folder: Path, kind: str, parse: Callable[[Path, Any], tuple[Any, list[Problem]]]):
    """Load one named data file (an id in ``folder`` or a ``.yaml`` path) with ``parse(path, raw) -> (value,
    problems)``; raise DataError listing every problem. Cached until the file changes (path and mtime)."""
    path = named_file(name, folder, kind)
    return _load_cached(parse, str(path.resolve()), path.stat().st_mtime)


@lru_cache(maxsize=64)
def _load_cached(parse: Callable[[Path, Any], tuple[Any, list[Problem]]], path: str, mtime: float) -> Any:
    value, problems = parse(Path(path), read_yaml(Path(path)))
    if problems or value is None:
        raise DataError(problems)
    return value

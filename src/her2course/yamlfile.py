"""Reading YAML data files and turning validation failures into named problems.

Reading is bounded, so a hostile or broken file is refused with a message naming it instead of exhausting the
machine: at most ``MAX_BYTES`` of text, nesting at most ``MAX_DEPTH`` levels deep (libyaml's composer recurses,
and 50,000 nested brackets used to crash the process), and aliases that may not expand the document beyond
``MAX_NODES`` values (a "billion laughs" alias or merge-key bomb of one kilobyte used to run into MemoryError).
A number written in quotes where the schema wants a number is a problem too (``validate_model``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from yaml.error import MarkedYAMLError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from .errors import DataError, Problem

M = TypeVar("M", bound=BaseModel)

MAX_BYTES = 2_000_000  # the largest course file is about 100 KB
MAX_DEPTH = 50  # the deepest course file nests 8 levels
MAX_NODES = 200_000  # values after every alias is expanded; the largest course file has about 3,300

# libyaml's parser (shipped in PyYAML's wheels) reads the same YAML about ten times faster than the pure-Python one;
# the pure-Python loader stays as the fallback for a PyYAML built without it
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LimitError(MarkedYAMLError):
    """A YAML file refused for its depth or the size its aliases would expand it to."""


def check_limits(text: str) -> None:
    """Refuse YAML that nests deeper than MAX_DEPTH or whose aliases expand it beyond MAX_NODES values.

    libyaml's event parser is iterative, so this walk over its events is safe on any input; its composer is
    recursive (a deep document crashes the process), and the constructor copies merged mappings (a merge-key
    bomb grows exponentially): both run only after this check. Each alias counts the whole value it repeats.
    """
    values = 0
    opened: list[tuple[int, str | None]] = []  # (values before the collection, its anchor)
    sizes: dict[str, int] = {}  # anchor -> values in the anchored node, once it is complete
    for event in yaml.parse(text, Loader=_LOADER):
        kind = type(event)
        if kind is ScalarEvent:
            values += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(opened) >= MAX_DEPTH:
                raise LimitError(None, None, f"the data nests more than {MAX_DEPTH} levels deep", event.start_mark)
            opened.append((values, event.anchor))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            before, anchor = opened.pop()
            values += 1
            if anchor is not None:
                sizes[anchor] = values - before
        elif kind is AliasEvent:
            size = sizes.get(event.anchor)
            if size is None:
                raise LimitError(None, None, f"the alias *{event.anchor} is not defined before it is used, or refers "
                                 "to a value that contains it", event.start_mark)
            values += size
        else:
            continue
        if values > MAX_NODES:
            raise LimitError(None, None, f"its aliases expand it to more than {MAX_NODES:,} values (an alias or "
                             "merge-key bomb?); write the data out instead of repeating it", event.start_mark)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a missing, oversized, deep or bomb-like file or a syntax error becomes a DataError
    naming the file (and the line)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError([Problem(path, None, None, f"the file is {size:,} bytes; data files may hold at most "
                                                       f"{MAX_BYTES:,}")])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError([Problem(path, None, None, "file not found")]) from None
    except IsADirectoryError:
        raise DataError([Problem(path, None, None, "a folder where a YAML file belongs")]) from None
    except UnicodeDecodeError as exc:
        raise DataError([Problem(path, None, None, f"not UTF-8 text ({exc.reason})")]) from None
    try:
        check_limits(text)
        return yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python): plain data only, never objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        kind = "YAML refused" if isinstance(exc, LimitError) else "invalid YAML"
        raise DataError([Problem(path, None, None, f"{kind} at {where}{reason}")]) from None


def validate_model(model: type[M], data: Any) -> M:
    """``model.model_validate(data)``, where a number must be written as a number: pydantic reads "5.4" (a quoted
    string) as 5.4 and true as 1, which hides typing mistakes in the data files. Raises ValidationError."""
    value = model.model_validate(data)
    errors = list(_numbers_written_as_text(data, value, ()))
    if errors:
        raise ValidationError.from_exception_data(model.__name__, errors)
    return value


def _numbers_written_as_text(raw: Any, value: Any, loc: tuple[str | int, ...]) -> Iterator[InitErrorDetails]:
    """Walk the validated value beside the raw data; yield an error where a number came from a string or a bool."""
    if isinstance(value, BaseModel):
        if isinstance(raw, dict):
            for name, info in type(value).model_fields.items():
                key = info.alias or name
                if key in raw:
                    yield from _numbers_written_as_text(raw[key], getattr(value, name), (*loc, key))
    elif isinstance(value, list | tuple):
        if isinstance(raw, list | tuple) and len(raw) == len(value):
            for i, (r, v) in enumerate(zip(raw, value, strict=True)):
                yield from _numbers_written_as_text(r, v, (*loc, i))
    elif isinstance(value, dict):
        if isinstance(raw, dict):
            for k, v in value.items():
                if k in raw:
                    yield from _numbers_written_as_text(raw[k], v, (*loc, k))
    elif isinstance(value, int | float) and not isinstance(value, bool) and isinstance(raw, str | bool):
        message = ("a number belongs here, not the text '{shown}' (write numbers without quotes, for example 5.4)"
                   if isinstance(raw, str) else "a number belongs here, not {shown}")
        yield InitErrorDetails(
            type=PydanticCustomError("number_as_text", message, {"shown": raw if isinstance(raw, str) else
                                                                 str(raw).lower()}),
            loc=loc, input=raw)


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
            items.append(validate_model(model, entry))
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

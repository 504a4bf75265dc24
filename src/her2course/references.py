"""The bibliography (book/references.bib): which keys exist, and a short citation for tables and captions."""

from __future__ import annotations

import codecs
import contextlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import latexcodec  # noqa: F401  (registers the 'ulatex' codec)
from pybtex.database import BibliographyData, PybtexError, parse_file

from .errors import DataError, Problem
from .paths import package_layout


def _plain(text: str) -> str:
    """BibTeX markup (accents like {\\'e}, protective braces) as plain Unicode text."""
    with contextlib.suppress(ValueError):
        text = codecs.decode(text, "ulatex")
    return text.replace("{", "").replace("}", "")


@dataclass(frozen=True)
class Bibliography:
    path: Path
    data: BibliographyData

    def keys(self) -> set[str]:
        return set(self.data.entries.keys())

    def __contains__(self, key: str) -> bool:
        return key in self.data.entries

    def short(self, key: str) -> str:
        """'Author year' or 'Organisation year' for a key, as used in generated tables."""
        entry = self.data.entries[key]
        year = entry.fields.get("year", "n.d.")
        people = entry.persons.get("author") or entry.persons.get("editor")
        if entry.type == "manual" and entry.fields.get("shorttitle"):
            who = entry.fields["shorttitle"]
        elif people:
            last = " ".join(people[0].last_names) or str(people[0])
            who = f"{last} et al." if len(people) > 1 else last
        else:
            who = entry.fields.get("shorttitle") or entry.fields.get("organization") or key
        return f"{_plain(who)} {year}"


# Parsed files by (path, modification time, size): each kernel of a book build used to parse the same 400-entry
# file a dozen times or more (about 45 ms each; 1.6 s for one timeline table). A changed file is parsed again.
_PARSED: dict[tuple[str, int, int], BibliographyData] = {}


def load_bibliography(path: Path) -> Bibliography:
    try:
        stat = Path(path).stat()
        key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
        data = _PARSED.get(key)
        if data is None:
            data = parse_file(str(path), bib_format="bibtex")
            if len(_PARSED) >= 8:
                _PARSED.clear()
            _PARSED[key] = data
    except FileNotFoundError:
        raise DataError([Problem(path, None, None, "bibliography file not found")]) from None
    except PybtexError as exc:
        raise DataError([Problem(path, None, None, f"cannot parse BibTeX: {exc}")]) from None
    return Bibliography(path=path, data=data)


@lru_cache(maxsize=4)
def _cached(path: str) -> Bibliography:
    return load_bibliography(Path(path))


def bibliography() -> Bibliography:
    """The course bibliography (cached)."""
    return _cached(str(package_layout().bib))


def sources_text(keys: tuple[str, ...] | list[str]) -> str:
    """The 'Source:' line of a generated result: short author-year citations ('Herceptin label 2026; ...').

    A key the bibliography lacks, or a package without its bibliography, falls back to the key itself, so a
    result always renders.
    """
    try:
        bib = bibliography()
    except Exception:
        return "; ".join(keys)
    return "; ".join(bib.short(k) if k in bib else k for k in keys)


def missing_keys(
    bib: Bibliography, file: Path, item: str, field: str, keys: list[str]
) -> list[Problem]:
    """A problem for every key in ``keys`` that the bibliography lacks."""
    return [
        Problem(file, item, field, f"reference key '{k}' is not in {bib.path.name}")
        for k in keys
        if k not in bib
    ]

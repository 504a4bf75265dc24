"""Where the course's data files live.

The library reads the files that ship beside this module. The ``her2course check`` command instead checks the
course checkout it is run from (found by walking up from the current directory), so that an author can check an
edited copy of the course with any installed ``her2course``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, Problem

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Layout:
    """The data files of one copy of the course."""

    data_dir: Path
    bib: Path
    notebooks: Path | None = None  # the chapters, whose quiz(...) and case(...) calls name data files

    @property
    def drugs(self) -> Path:
        return self.data_dir / "drugs.yaml"

    @property
    def testing(self) -> Path:
        return self.data_dir / "testing.yaml"


DATA_IN_CHECKOUT = Path("src", "her2course", "data")


def _layout_for_root(root: Path) -> Layout:
    return Layout(data_dir=root / DATA_IN_CHECKOUT, bib=root / "book" / "references.bib",
                  notebooks=root / "notebooks")


def find_root(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` that holds a course checkout (its data folder), or None.

    A checkout is recognised by its data folder, not by any one file in it: a checkout that has lost drugs.yaml
    is still that checkout (and ``her2course check`` says the file is missing) rather than some other course."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / DATA_IN_CHECKOUT).is_dir():
            return candidate
    return None


def root_layout(root: Path) -> Layout:
    """The files of the checkout at ``root`` exactly (``her2course check --root``); a DataError if it holds none."""
    if not (root / DATA_IN_CHECKOUT).is_dir():
        raise DataError([Problem(root, None, None, f"not a course checkout: there is no {DATA_IN_CHECKOUT.as_posix()} "
                                                   "folder here")])
    return _layout_for_root(root)


def _default_bib() -> Path:
    """The checkout's book/references.bib when this package runs from a checkout (an editable install), else the
    copy that a wheel or ``pip install .`` puts beside this module (setup.py builds it from the same file)."""
    checkout = PACKAGE_DIR.parents[1] / "book" / "references.bib"
    return checkout if checkout.is_file() else PACKAGE_DIR / "references.bib"


def package_layout() -> Layout:
    """The files this installed package reads (environment variables may point elsewhere)."""
    data_dir = Path(os.environ.get("HER2COURSE_DATA_DIR", PACKAGE_DIR / "data"))
    bib = Path(os.environ.get("HER2COURSE_BIB") or _default_bib())
    notebooks = PACKAGE_DIR.parents[1] / "notebooks"  # there in a checkout (an editable install), not in a wheel
    return Layout(data_dir=data_dir, bib=bib, notebooks=notebooks if notebooks.is_dir() else None)


def checkout_layout(start: Path | None = None) -> Layout:
    """The files of the checkout around ``start`` (the current directory), else the package's own."""
    root = find_root(start)
    return _layout_for_root(root) if root else package_layout()

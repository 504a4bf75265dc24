"""Where the course's data files live.

The library reads the files that ship beside this module. The ``her2course check`` command instead checks the
course checkout it is run from (found by walking up from the current directory), so that an author can check an
edited copy of the course with any installed ``her2course``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Layout:
    """The data files of one copy of the course."""

    data_dir: Path
    bib: Path

    @property
    def drugs(self) -> Path:
        return self.data_dir / "drugs.yaml"

    @property
    def testing(self) -> Path:
        return self.data_dir / "testing.yaml"


def _layout_for_root(root: Path) -> Layout:
    return Layout(data_dir=root / "src" / "her2course" / "data", bib=root / "book" / "references.bib")


def find_root(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` that holds a course checkout, or None."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "src" / "her2course" / "data" / "drugs.yaml").is_file():
            return candidate
    return None


def _default_bib() -> Path:
    """The checkout's book/references.bib when this package runs from a checkout (an editable install), else the
    copy that a wheel or ``pip install .`` puts beside this module (setup.py builds it from the same file)."""
    checkout = PACKAGE_DIR.parents[1] / "book" / "references.bib"
    return checkout if checkout.is_file() else PACKAGE_DIR / "references.bib"


def package_layout() -> Layout:
    """The files this installed package reads (environment variables may point elsewhere)."""
    data_dir = Path(os.environ.get("HER2COURSE_DATA_DIR", PACKAGE_DIR / "data"))
    bib = Path(os.environ.get("HER2COURSE_BIB") or _default_bib())
    return Layout(data_dir=data_dir, bib=bib)


def checkout_layout(start: Path | None = None) -> Layout:
    """The files of the checkout around ``start`` (the current directory), else the package's own."""
    root = find_root(start)
    return _layout_for_root(root) if root else package_layout()

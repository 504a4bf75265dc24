"""The teaching kit's files, made with the book: ready-made quiz files, slides and the printable rubric.

For each chapter's question bank and for the whole course, the same code as ``her2course quiz build`` writes a
Canvas package (QTI 1.2 .zip), Moodle XML, GIFT, a printable quiz (HTML with a print stylesheet) with its separate
answer key, and the blueprint as CSV, into ``_build/html/teaching-kit/``; the slide decks go to
``_build/html/slides/``. Every file carries the equivalent command, so an instructor with a terminal can rebuild
it with other choices (a count, a seed, a filter).

Why HTML and not PDF for the printable quiz: printing each PDF starts Chromium once (about a second of CPU each,
28 files), which would add far more than a few seconds to every book build. The HTML files print cleanly from
any browser (File > Print; "Save as PDF" gives the PDF).

Build cost: the files depend only on the package, the data, the chapter notebooks, the bibliography and reveal.js.
A digest of those inputs is stored with the output; when nothing changed, the build reuses the files. When
something changed, the files are made in a thread that runs while Sphinx executes the notebooks, and the pages that
list the files wait for it (``her2course.sphinxext`` wires this in).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KIT_DIR = "teaching-kit"
SLIDES_DIR = "slides"
MANIFEST = "manifest.json"
SEED = 1
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Format:
    fmt: str          # the --format of her2course quiz build
    suffix: str       # the file name's end
    label: str        # the link text
    answer_key: bool = False


FORMATS = (
    Format("canvas", "canvas.zip", "Canvas package (QTI .zip)"),
    Format("moodle-xml", "moodle.xml", "Moodle XML"),
    Format("gift", "gift.txt", "GIFT (Moodle)"),
    Format("html", "quiz.html", "Printable quiz", answer_key=True),
    Format("csv", "blueprint.csv", "Blueprint (CSV)"),
)
KEY_SUFFIX = "answer-key.html"
RUBRIC_FILE = "her2-teaching-rubric.html"


# ------------------------------------------------------------------------------------------------ quiz files

def _short(chapter: str) -> str:
    return "ch" + chapter.split("-", 1)[0]


def parts() -> list[dict[str, Any]]:
    """The whole course first, then one part per chapter (its bank, or the unfolding cases): key, label, title, and
    the chapter filter."""
    from ..exports.selection import chapters
    from ..quiz.bank import load_bank

    out = [{"key": "course", "label": "Whole course", "title": "HER2-targeted therapy: all chapters",
            "chapters": []}]
    from ..cases.bank import CHAPTER as CASES_CHAPTER
    from ..cases.bank import TITLE as CASES_TITLE

    for ch in chapters():  # chapter 7's questions are the unfolding cases' stages, each with its stage's data
        title = CASES_TITLE if ch == CASES_CHAPTER else load_bank(ch).title
        topic = title.removeprefix("Check your understanding: ")
        topic = topic[:1].upper() + topic[1:]
        number = int(ch.split("-", 1)[0])
        out.append({"key": _short(ch), "label": f"Chapter {number}: {topic}", "chapters": [ch],
                    "title": f"HER2-targeted therapy, chapter {number}: {topic}"})
    return out


def _command(part: dict[str, Any], f: Format, name: str) -> str:
    import shlex

    args = ["her2course", "quiz", "build"]
    for ch in part["chapters"]:
        args += ["--chapter", ch.split("-", 1)[0].lstrip("0")]
    args += ["--seed", str(SEED), "--title", part["title"], "--format", f.fmt, "--out", name]
    if f.answer_key:
        args += ["--answer-key", name.replace(f.suffix, KEY_SUFFIX)]
    return shlex.join(args)


def write_quiz_files(kit_dir: Path) -> list[dict[str, Any]]:
    """Every part in every format; returns one manifest row per file (with what each export left out)."""
    from ..exports.cli import build
    from ..exports.selection import Filters, all_entries, select

    kit_dir.mkdir(parents=True, exist_ok=True)
    entries = all_entries()
    rows: list[dict[str, Any]] = []
    for part in parts():
        assignment = select(Filters.make(chapters=part["chapters"]), None, SEED, entries=entries, title=part["title"])
        for f in FORMATS:
            name = f"her2-{part['key']}-{f.suffix}"
            key = kit_dir / name.replace(f.suffix, KEY_SUFFIX) if f.answer_key else None
            report = build(assignment, f.fmt, kit_dir / name, key, quiet=True)
            row = {"part": part["key"], "part_label": part["label"], "format": f.fmt, "label": f.label,
                   "file": name, "bytes": (kit_dir / name).stat().st_size, "questions": len(report.exported),
                   "total": len(assignment.entries), "skipped": dict(report.skipped), "adapted": len(report.notes),
                   "assignment": assignment.id, "command": _command(part, f, name)}
            if key is not None:
                row["answer_key"] = key.name
                row["answer_key_bytes"] = key.stat().st_size
            rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------------ the whole kit

# Package files that no kit file is made from (the book's own pages, styles and scripts, the facilitator guides):
# editing them does not make the kit again.
NOT_INPUTS = ("data/facilitator/", "teaching/facilitator.py", "teaching/pages.py", "sphinxext.py", "sitebuild.py",
              "templates/", "site-root/", "static/")


def input_files(root: Path) -> Iterable[Path]:
    """Everything the kit's files are made from (a change to any of them makes the kit again)."""
    yield from sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                      and not p.relative_to(PACKAGE).as_posix().startswith(NOT_INPUTS))
    yield from sorted((root / "notebooks").glob("*.ipynb"))
    for extra in ("book/references.bib", "node_modules/reveal.js/package.json"):
        if (root / extra).is_file():
            yield root / extra


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in input_files(root):
        h.update(str(p.relative_to(root) if p.is_relative_to(root) else p.relative_to(PACKAGE.parent)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def generate(root: Path, outdir: Path) -> dict[str, Any]:
    """Make every file of the kit in ``outdir`` (the built book) and return the manifest."""
    from . import activities
    from .slides import write_decks

    kit_dir, slides_dir = outdir / KIT_DIR, outdir / SLIDES_DIR
    for d in (kit_dir, slides_dir):
        if d.is_dir():
            shutil.rmtree(d)
    slides = write_decks(root, slides_dir)
    files = write_quiz_files(kit_dir)
    (kit_dir / RUBRIC_FILE).write_text(activities.rubric_page(), encoding="utf-8")
    return {"slides": slides, "files": files, "rubric": RUBRIC_FILE}


def expected_files(manifest: dict[str, Any]) -> list[str]:
    """Every path (relative to the built book) the manifest promises."""
    out = [f"{KIT_DIR}/{manifest['rubric']}"]
    for row in manifest["files"]:
        out.append(f"{KIT_DIR}/{row['file']}")
        if row.get("answer_key"):
            out.append(f"{KIT_DIR}/{row['answer_key']}")
    for deck in manifest["slides"]:
        out += [f"{SLIDES_DIR}/{deck['html']}", f"{SLIDES_DIR}/{deck['notebook']}"]
    return out


class KitBuild:
    """The kit for one book build: reused when its inputs are unchanged, else made in a background thread."""

    def __init__(self, root: Path, outdir: Path, cache_dir: Path) -> None:
        self.root, self.outdir, self.cache_dir = root, outdir, cache_dir
        self.manifest: dict[str, Any] | None = None
        self.error: BaseException | None = None
        self.reused = False
        self.seconds = 0.0   # how long making the files took (wall clock, in its thread)
        self.waited = 0.0    # how long the build waited for them (what the kit added to the build's wall time)
        self._thread: threading.Thread | None = None

    def _cached(self, stamp: str) -> dict[str, Any] | None:
        path = self.cache_dir / MANIFEST
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if saved.get("digest") != stamp:
            return None
        if not all((self.outdir / p).is_file() for p in expected_files(saved["manifest"])):
            return None
        return saved["manifest"]

    def start(self) -> None:
        stamp = digest(self.root)
        cached = self._cached(stamp)
        if cached is not None:
            self.manifest, self.reused = cached, True
            return

        def run() -> None:
            started = time.perf_counter()
            try:
                manifest = generate(self.root, self.outdir)
                self.seconds = time.perf_counter() - started
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                (self.cache_dir / MANIFEST).write_text(json.dumps({"digest": stamp, "manifest": manifest}, indent=1),
                                                       encoding="utf-8")
                self.manifest = manifest
            except BaseException as exc:  # reported by wait() in the build's main thread
                self.error = exc

        self._thread = threading.Thread(target=run, name="her2course-teaching-kit", daemon=True)
        self._thread.start()

    def wait(self) -> dict[str, Any]:
        """The manifest, once the files exist; raises the generation's error, with its type and message."""
        if self._thread is not None:
            started = time.perf_counter()
            self._thread.join()
            self.waited += time.perf_counter() - started
        if self.error is not None:
            raise RuntimeError(f"the teaching kit could not be made: {type(self.error).__name__}: {self.error}") \
                from self.error
        assert self.manifest is not None
        return self.manifest


# ------------------------------------------------------------------------------------------------ command line

def _cmd_kit(args: Any) -> int:
    import sys

    from .slides import SlidesError

    root, out = Path(args.root).resolve(), Path(args.out).resolve()
    try:
        manifest = generate(root, out)
    except (SlidesError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(manifest['slides'])} slide decks to {out / SLIDES_DIR} and {len(manifest['files'])} quiz "
          f"files and the rubric to {out / KIT_DIR}")
    return 0


def register(sub: Any) -> None:
    """``her2course kit --out DIR``: the teaching kit's files without building the book."""
    p = sub.add_parser("kit", help="write the slides, ready-made quiz files and rubric (as the book build does)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write slides/ and teaching-kit/ into")
    p.add_argument("--root", default=".", metavar="DIR",
                   help="course checkout with notebooks/ and node_modules/reveal.js (default: this folder)")
    p.set_defaults(func=_cmd_kit)

"""Check the course's Moodle exports against a real Moodle: import every file and compare Moodle's marks with ours.

    python tools/moodle/check.py --moodle /tmp/moodle-src        (or: make moodle-check MOODLE=/tmp/moodle-src)

1. Builds the exports instructors build (``her2course quiz build --seed S --format moodle-xml|gift``): the whole
   course and each chapter, in both formats, as the exam form of seed S (default 1): the parametric questions carry
   numbers drawn for that seed, so Moodle grades the drawn keys, not the book's.
2. For every question in each file, writes the responses to grade (right, wrong, and partial ones for the item
   types that give partial credit) in the course's terms, and what the course's grader
   (:mod:`her2course.quiz.grading`) gives each.
3. Runs ``check.php`` with Moodle's PHP: it imports each file through Moodle's own qformat_xml / qformat_gift
   (importpreprocess, importprocess, as the question bank's Import page does) into a new course, grades each
   response with Moodle's question engine (deferred feedback: save, finish), then deletes that course.
4. Prints a table per file (questions in the file, imported, graded as the course grades, known differences,
   mismatches) and the known differences and mismatches with their reasons. Exit 1 on an import failure or a
   mismatch that no known, reported difference explains.

A known difference is a response where Moodle's mark is the one the exporter's report and the instructor guide
predict (units, bow-tie partial credit, GIFT's missing question marks); it is listed, not hidden. Without
``--moodle`` (or with an empty one) the check prints one line and exits 0, so CI without Moodle stays green.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from her2course.exports import Filters, all_entries, select
from her2course.exports.common import number, plain
from her2course.exports.selection import Entry, chapters
from her2course.quiz.grading import grade, max_score
from her2course.quiz.schema import (
    BLANK,
    Bowtie,
    Cloze,
    DropdownRationale,
    Highlight,
    Item,
    Matrix,
    MatrixMulti,
    Numeric,
    Ordered,
    Sata,
    Single,
)

HERE = Path(__file__).resolve().parent
FORMATS = {"moodle-xml": ("xml", ".xml"), "gift": ("gift", ".gift")}
TOL = 1e-4


# ------------------------------------------------------------------------------------------ responses to grade

@dataclass
class Case:
    """One response: its label, the course's response, Moodle's descriptor (texts) and the course's result."""

    label: str
    course: Any
    moodle: dict[str, Any]
    status: str = ""
    score: float = 0.0


def _pick(options, chosen_ids) -> dict[str, Any]:
    return {"pick": [plain(o.text) for o in options if o.id in set(chosen_ids)]}


def wrong_unit(item: Numeric) -> str:
    """A unit the item does not accept (what a learner who slips a unit types)."""
    accepted = {u.lower() for u in [item.answer.unit, *item.answer.unit_aliases]}
    return next(u for u in ("kg", "g", "mL", "hours") if u.lower() not in accepted)


def cases(item: Item) -> list[Case]:
    """Right, wrong and (where the course gives partial credit) partial responses to one item."""
    out: list[Case] = []
    if isinstance(item, Single):
        right = next(o for o in item.options if o.correct)
        wrong = next(o for o in item.options if not o.correct)
        out += [Case("right", right.id, _pick(item.options, [right.id])),
                Case("wrong", wrong.id, _pick(item.options, [wrong.id]))]
    elif isinstance(item, Sata):
        right = [o.id for o in item.options if o.correct]
        wrong = [o.id for o in item.options if not o.correct]
        out += [Case("right", right, _pick(item.options, right)),
                Case("wrong", wrong, _pick(item.options, wrong)),
                Case("partial", right[:1], _pick(item.options, right[:1]))]
        if wrong:
            over = right + wrong[:1]
            out.append(Case("right plus one wrong", over, _pick(item.options, over)))
    elif isinstance(item, Numeric):
        a = item.answer
        value = number(a.value)
        bad = item.distractors[0].value if item.distractors else a.value + 10 * a.tolerance + 1
        if a.unit:
            out += [Case("right", f"{value} {a.unit}", {"answer": f"{value} {a.unit}"}),
                    Case("right, number only", value, {"answer": value})]
            if a.unit_aliases:
                alias = a.unit_aliases[0]
                out.append(Case("right, unit alias", f"{value} {alias}", {"answer": f"{value} {alias}"}))
            out += [Case("right number, wrong unit", f"{value} {wrong_unit(item)}",
                         {"answer": f"{value} {wrong_unit(item)}"}),
                    Case("wrong", f"{number(bad)} {a.unit}", {"answer": f"{number(bad)} {a.unit}"})]
        else:
            out += [Case("right", value, {"answer": value}),
                    Case("right number, with a unit", f"{value} {wrong_unit(item)}",
                         {"answer": f"{value} {wrong_unit(item)}"}),
                    Case("wrong", number(bad), {"answer": number(bad)})]
        if "." in value:
            comma = value.replace(".", ",") + (f" {a.unit}" if a.unit else "")
            out.append(Case("right, decimal comma", comma, {"answer": comma}))
    elif isinstance(item, Ordered):
        ids = [o.id for o in item.options]
        text = {o.id: plain(o.text) for o in item.options}
        swapped = [ids[1], ids[0], *ids[2:]]
        out += [Case("right", ids, {"order": [text[i] for i in ids]}),
                Case("wrong", ids[::-1], {"order": [text[i] for i in ids[::-1]]}),
                Case("first two swapped", swapped, {"order": [text[i] for i in swapped]})]
    elif isinstance(item, Matrix):
        cols = {c.id: plain(c.text) for c in item.columns}

        def other(row) -> str:
            return next(c.id for c in item.columns if c.id != row.answer)

        def pairs(choice) -> dict[str, Any]:
            return {"pairs": [[plain(r.text), cols[choice[r.id]]] for r in item.rows]}

        right = {r.id: r.answer for r in item.rows}
        wrong = {r.id: other(r) for r in item.rows}
        partial = {r.id: (r.answer if n == 0 else other(r)) for n, r in enumerate(item.rows)}
        out += [Case("right", right, pairs(right)), Case("wrong", wrong, pairs(wrong)),
                Case("partial", partial, pairs(partial))]
    elif isinstance(item, Highlight):  # exported as a multiple-response question, the parts as its options
        parts = item.parts()
        right = [pid for pid, _, correct, _ in parts if correct]
        wrong = [pid for pid, _, correct, _ in parts if not correct]

        def pick(ids) -> dict[str, Any]:
            return {"pick": [plain(text) for pid, text, _, _ in parts if pid in set(ids)]}

        out += [Case("right", right, pick(right)), Case("wrong", wrong, pick(wrong)),
                Case("partial", right[:1], pick(right[:1]))]
    elif isinstance(item, MatrixMulti):  # a multiple-response sub-question per row
        def row_pick(how: str) -> dict[str, list[str]]:
            out_: dict[str, list[str]] = {}
            for n, r in enumerate(item.rows):
                others = [c.id for c in item.columns if c.id not in r.answers]
                take_right = how == "right" or (how == "partial" and n == 0)
                out_[r.id] = list(r.answers) if take_right or not others else others[:1]
            return out_

        for how in ("right", "wrong", "partial"):
            course = row_pick(how)
            out.append(Case(how, course, {"subs": [_pick(item.columns, course[r.id]) for r in item.rows]}))
    elif isinstance(item, Cloze | DropdownRationale):
        blanks = {b.id: b for b in item.blanks}
        order = [blanks[m.group(1)] for m in BLANK.finditer(item.text)]

        def chosen(rule) -> tuple[dict[str, str], dict[str, Any]]:
            picks = {b.id: rule(n, b).id for n, b in enumerate(order)}
            return picks, {"subs": [_pick(b.options, [picks[b.id]]) for b in order]}

        def right(_n, b):
            return next(o for o in b.options if o.correct)

        def wrong(_n, b):
            return next(o for o in b.options if not o.correct)

        rules = [("right", right), ("wrong", wrong), ("partial", lambda n, b: right(n, b) if n == 0 else wrong(n, b))]
        if isinstance(item, DropdownRationale):  # a wrong claim with right reasons: the course gives no point
            rules.append(("wrong claim, right reasons", lambda n, b: wrong(n, b) if n == 0 else right(n, b)))
        for label, rule in rules:
            course, desc = chosen(rule)
            out.append(Case(label, course, desc))
    elif isinstance(item, Bowtie):
        def group_pick(g, how: str) -> list[str]:
            right = [o.id for o in g.options if o.correct]
            wrong = [o.id for o in g.options if not o.correct]
            if how == "right":
                return right
            if how == "wrong":
                return wrong[:g.choose]
            return right if g.choose == 1 else right[:1] + wrong[:g.choose - 1]

        for how in ("right", "wrong", "partial"):
            course = {g.id: group_pick(g, how) for g in item.groups}
            out.append(Case(how, course, {"subs": [_pick(g.options, course[g.id]) for g in item.groups]}))
    for c in out:
        r = grade(item, c.course)
        c.status, c.score = r.status, float(r.score)
    return out


# ------------------------------------------------------------------------------------- known differences

def bowtie_fraction(item: Bowtie, course: dict[str, list[str]]) -> float:
    """Moodle's fraction for a bow-tie exported as a Cloze question (see exports/moodle.py, bowtie_cloze)."""
    total = 0.0
    for g in item.groups:
        picked = set(course[g.id])
        if g.choose == 1:
            f = float(any(o.correct for o in g.options if o.id in picked))
        else:
            wrong = sum(not o.correct for o in g.options)
            f = sum(1 / g.choose if o.correct else -1 / wrong for o in g.options if o.id in picked)
        total += g.choose * min(1.0, max(0.0, f))
    return total / sum(g.choose for g in item.groups)


def predicted(item: Item, case: Case, fmt: str) -> tuple[float, str] | None:
    """Where the export documents that Moodle grades differently: Moodle's fraction and the reason."""
    if isinstance(item, Numeric):
        unit = item.answer.unit
        if fmt == "gift" and case.label == "right number, wrong unit":
            return 1.0, ("GIFT has no units: Moodle grades the number and ignores the unit typed, so a wrong unit "
                         "scores as the right one (the course: invalid, asks again)")
        if case.label == "right number, with a unit":
            return 1.0, ("number-only question: Moodle's end-of-attempt grading ignores a unit typed after the "
                         "number (its interactive mode asks to remove it; the course: invalid, asks again)")
        if fmt == "moodle-xml" and unit and case.label == "right, number only":
            return 0.0, ("the unit is graded in Moodle: a number without its unit scores 0 (the course accepts a "
                         "bare number; the question asks for the unit)")
        if fmt == "moodle-xml" and case.label == "right number, wrong unit":
            return 0.0, "a wrong unit scores 0 in Moodle (the course: invalid, no score, asks again)"
    if isinstance(item, Numeric) and case.label == "right, decimal comma":
        return 0.0, ("a decimal comma ('345,6'): Moodle (English language pack) reads the comma as a thousands "
                     "separator, so the answer scores 0 (the course reads 345.6; the question asks for a point)")
    if isinstance(item, DropdownRationale):
        _claim, *reasons = item.blanks  # the export gives the claim no mark and each reason one
        moodle = sum(o.correct for b in reasons for o in b.options if o.id == case.course[b.id]) / len(reasons)
        if abs(moodle - case.score / max_score(item)) > TOL:
            return moodle, ("drop-down rationale: Moodle scores each drop-down on its own; the course gives a reason "
                            "its point only with the right claim (NCSBN's rationale scoring)")
    if isinstance(item, Bowtie) and case.label == "partial":
        return bowtie_fraction(item, case.course), (
            "bow-tie partial credit: Moodle's multiple-response parts take 1/N of the part for each right choice "
            "and subtract for each wrong one (so ticking every box scores 0); the course gives one point per "
            "right choice among exactly N")
    return None


# ---------------------------------------------------------------------------------------------- exports

def her2course() -> list[str]:
    exe = Path(sys.executable).with_name("her2course")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("her2course")
    if not found:
        sys.exit("moodle-check: the her2course command is not installed (run make venv)")
    return [found]


def build_exports(work: Path, seed: int = 1) -> list[tuple[Path, str, list[Entry]]]:
    """Every chapter and the whole course in both formats, with the commands an instructor runs; ``seed`` draws the
    numbers of the parametric questions, so Moodle grades the drawn keys (the entries are the same drawn form)."""
    scopes: list[tuple[str, list[str]]] = [("course", [])]
    scopes += [(c, ["--chapter", c]) for c in chapters()]
    out = []
    for fmt, (_kind, suffix) in FORMATS.items():
        for name, args in scopes:
            path = work / f"{name}{suffix}"
            cmd = [*her2course(), "quiz", "build", *args, "--seed", str(seed), "--format", fmt, "--out", str(path),
                   "--quiet"]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"moodle-check: {' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
            assignment = select(Filters.make(chapters=[name] if args else []), seed=seed)
            out.append((path, fmt, list(assignment.entries)))
    return out


def drawn_forms(files) -> tuple[int, list[str]]:
    """How many parametric questions the course file holds, and any whose drawn key is the book's practice key or
    whose drawn stem is missing from the exported file (there should be none)."""
    practice = {e.id: e.item for e in all_entries()}
    path, _fmt, entries = files[0]
    text = path.read_text(encoding="utf-8")
    drawn = [e for e in entries if isinstance(e.item, Numeric) and e.item.form is not None]
    bad = []
    for e in drawn:
        book = practice[e.id]
        if abs(book.answer.value - e.item.answer.value) <= e.item.answer.tolerance:
            bad.append(f"{e.id}: the drawn key {number(e.item.answer.value)} is the book's")
        values = [number(v) for v in e.item.form.values.values()]
        if not any(v in text for v in values):
            bad.append(f"{e.id}: none of the drawn values {values} is in {path.name}")
    return len(drawn), bad


def names_in_file(path: Path, fmt: str) -> list[str]:
    """The question names (item ids) a file holds, read from the file itself."""
    text = path.read_text(encoding="utf-8")
    if fmt == "gift":
        return [re.sub(r"\\(.)", r"\1", m) for m in re.findall(r"^::((?:\\.|[^:])*)::", text, flags=re.M)]
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text)
    return [q.findtext("name/text") or "" for q in root.findall("question") if q.get("type") != "category"]


# ------------------------------------------------------------------------------------------- comparison

@dataclass
class Row:
    path: Path
    in_file: int = 0
    imported: int = 0
    as_expected: int = 0
    known: int = 0
    mismatched: int = 0
    error: str | None = None


def compare(files, results, work: Path) -> tuple[list[Row], dict[str, list[str]], list[str]]:
    rows: list[Row] = []
    known: dict[str, list[str]] = defaultdict(list)
    mismatches: list[str] = []
    for (path, fmt, entries), res in zip(files, results["files"], strict=True):
        by_id = {e.id: e for e in entries}
        names = names_in_file(path, fmt)
        row = Row(path.relative_to(work), in_file=len(names), imported=len(res["questions"]), error=res["error"])
        if res["error"] or row.imported != row.in_file:
            missing = [n for n in names if n not in res["questions"]]
            detail = " ".join((res["error"] or "stopped without an error message").split())[:300]
            mismatches.append(f"{row.path}: imported {row.imported} of {row.in_file} questions ({detail}); "
                              f"not imported: {', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}"
                              + (f"; Moodle said: {' '.join(res['output'].split())[:300]}" if res["output"] else ""))
        for name, q in res["questions"].items():
            item = by_id[name].item
            top = max_score(item)
            question_known = question_bad = False
            if fmt == "moodle-xml" and abs(q["defaultmark"] - top) > TOL:
                mismatches.append(f"{row.path} {name}: Moodle's mark is {q['defaultmark']:g}, the course's {top}")
                question_bad = True
            if fmt == "gift" and abs(q["defaultmark"] - top) > TOL:
                known["GIFT has no syntax for a question's mark: Moodle imports every GIFT question with 1 mark "
                      "(the fractions inside the question are kept; set the mark in the quiz)"].append(
                    f"{row.path} {name}: 1 mark, the course {top}")
                question_known = True
            for case in cases(item):
                got = q["graded"].get(case.label)
                want = case.score / top
                where = f"{row.path} {name} [{case.label}]"
                if got is None or "error" in got:
                    mismatches.append(f"{where}: not graded ({(got or {}).get('error', 'no result')})")
                    question_bad = True
                    continue
                fraction = float(got["fraction"]) if got["fraction"] is not None else 0.0
                if abs(fraction - want) <= TOL:
                    if case.status == "invalid":
                        known["the course calls this answer invalid (no score, the learner is asked again); "
                              "Moodle grades it 0"].append(where)
                        question_known = True
                    continue
                doc = predicted(item, case, fmt)
                if doc is not None and abs(fraction - doc[0]) <= TOL:
                    known[doc[1]].append(f"{where}: Moodle {fraction:.3f}, course {want:.3f}")
                    question_known = True
                    continue
                mismatches.append(f"{where}: Moodle {fraction:.4f} ({got['state']}, response "
                                  f"'{got['summary']}'), course {want:.4f} ({case.status})")
                question_bad = True
            if question_bad:
                row.mismatched += 1
            elif question_known:
                row.known += 1
            else:
                row.as_expected += 1
        rows.append(row)
    return rows, known, mismatches


def table(rows: list[Row]) -> list[str]:
    head = ("file", "in file", "imported", "graded as the course", "known differences", "mismatches")
    body = [(str(r.path), str(r.in_file), str(r.imported), str(r.as_expected), str(r.known), str(r.mismatched))
            for r in rows]
    total = ("total", *(str(sum(int(b[i]) for b in body)) for i in range(1, 6)))
    widths = [max(len(x[i]) for x in [head, *body, total]) for i in range(len(head))]

    def line(cells) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                              strict=True)))

    rule = "  ".join("-" * w for w in widths)
    return [line(head), rule, *(line(b) for b in body), rule, line(total)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--moodle", default="", help="the Moodle code directory (the one holding config.php)")
    p.add_argument("--php", default="php", help="the PHP command (default: php)")
    p.add_argument("--work", help="keep the exports, manifest and Moodle's results in this folder")
    p.add_argument("--keep", action="store_true", help="keep the course Moodle imported into (for a look)")
    p.add_argument("--seed", type=int, default=1, help="the seed of the exam form to build (default 1, as quiz "
                                                        "build): it draws the numbers of the parametric questions")
    args = p.parse_args(argv)
    if not args.moodle:
        print("moodle-check: no Moodle given (make moodle-check MOODLE=/path/to/moodle); nothing checked.")
        return 0
    moodle = Path(args.moodle)
    if not (moodle / "config.php").is_file():
        print(f"moodle-check: {moodle} has no config.php (give the directory of an installed Moodle)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="her2-moodle-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        files = build_exports(work, args.seed)
        parametric, not_drawn = drawn_forms(files)
        manifest = {"files": [
            {"path": str(path), "format": FORMATS[fmt][0],
             "responses": {e.id: [{"label": c.label, "response": c.moodle} for c in cases(e.item)]
                           for e in entries}}
            for path, fmt, entries in files]}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        cmd = [args.php, str(HERE / "check.php"), f"--moodle={moodle}", f"--manifest={work / 'manifest.json'}",
               f"--out={work / 'result.json'}", *(["--keep"] if args.keep else [])]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not (work / "result.json").is_file():
            print(f"moodle-check: Moodle's PHP failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
                  f"{proc.stderr[-3000:]}", file=sys.stderr)
            return 1
        results = json.loads((work / "result.json").read_text(encoding="utf-8"))
        rows, known, mismatches = compare(files, results, work)
    print(f"Moodle {results['moodle']}: the course's Moodle XML and GIFT exports imported with Moodle's own "
          "importers and graded with its question engine (deferred feedback)")
    print()
    print("\n".join(table(rows)))
    print()
    print(f"Parallel form: seed {args.seed}; {parametric} parametric questions, each with numbers drawn for this seed "
          "and a key (graded above) that differs from the book's practice key")
    mismatches += not_drawn
    kinds = Counter({k: len(v) for k, v in known.items()})
    if known:
        print()
        print("Known, reported differences (Moodle grades as the export report and the instructor guide say):")
        for reason, n in kinds.most_common():
            print(f"  - {reason}: {n} response(s), e.g. {known[reason][0]}")
    if mismatches:
        print()
        print(f"Mismatches ({len(mismatches)}):")
        for m in mismatches:
            print(f"  - {m}")
        return 1
    print()
    print("Every file imported completely; every mark is the course's or a known, reported difference.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

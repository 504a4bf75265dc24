"""Quiz results exported from Moodle or Canvas, read as item-analysis data.

**Moodle** (4.x; checked against Moodle 4.5's source, ``mod/quiz/report/overview`` and ``mod/quiz/report/responses``
with ``mod/quiz/classes/local/reports/attempts_report.php``). Both reports download as CSV ("Download table data
as: Comma separated values"), one row per attempt:

- *Grades* report (overview): ``Last name``, ``First name``, the site's identity fields (``Email address`` by
  default), ``Status``, ``Started``, ``Completed``, ``Duration``, ``Grade/<max>``, then one column per question
  slot, ``Q. <n> /<marks>``, holding the marks (``-`` when not answered or not graded, ``Requires grading`` for a
  manually graded question). The last row is ``Overall average``.
- *Responses* report: the same user, status and time columns and ``Grade/<max>``, then per slot ``Question <n>``
  (the question text, if chosen), ``Response <n>`` (Moodle's summary of the answer: the choice's text; several
  choices joined with ``; ``; cloze parts as ``part 1: ...; part 2: ...``) and ``Right answer <n>`` (if chosen).

The Grades report gives the marks; the Responses report, when given too, the options chosen (rows are matched on
name, identity fields and start time). A Responses report alone is marked right or wrong by comparing each response
with the right answer column, which needs that column and cannot see partial credit (the report says so).

**Canvas** (Classic Quizzes, Quiz Statistics > Student Analysis; layout from canvas-lms
``app/models/quizzes/quiz_statistics/student_analysis.rb``, ``to_csv``): ``name``, ``id``, ``sis_id`` (if SIS ids
are on), ``root_account`` (with trusted accounts), ``section``, ``section_id``, ``section_sis_id`` (if SIS ids),
``submitted``, ``attempt`` (when all versions are included), then per question two columns: ``<question id>:
<question text>`` (the response: the choice's text, several choices joined with commas and a comma inside a choice
written ``\\,``, matching pairs as ``left=>right``) and a column headed with the question's points possible
(the points scored), then ``n correct``, ``n incorrect``, ``score``. The report does not name the question type:
a response column is split into choices when it is a multiple-answer column (see :func:`_is_multi`).

Every reader returns :class:`~.itemstats.ClassResponses`; a file it cannot read raises :class:`ReportError` naming
the file, the row or column and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

from .itemstats import NO_ANSWER, ClassResponses, ItemInfo

MAX_BYTES = 20 * 1024 * 1024
MOODLE_QUESTION = re.compile(r"^Q\.\s*(\d+)\s*/\s*([0-9]+(?:[.,][0-9]+)?)$")
MOODLE_GRADE = re.compile(r"^Grade\s*/\s*([0-9]+(?:[.,][0-9]+)?)$")
MOODLE_RESPONSE = re.compile(r"^Response\s+(\d+)$")
MOODLE_RIGHT = re.compile(r"^Right answer\s+(\d+)$")
MOODLE_TEXT = re.compile(r"^Question\s+(\d+)$")
MOODLE_FIXED = ("Last name", "First name", "Status", "Started", "Completed", "Duration")
MOODLE_FINISHED = "Finished"
MOODLE_AVERAGE = ("Overall average", "Group average")
MOODLE_TIME = "%d %B %Y, %I:%M %p"  # langconfig strftimedatetime in English
CANVAS_QUESTION = re.compile(r"^(\d+):\s?(.*)$", re.S)
CANVAS_TAIL = ("n correct", "n incorrect", "score")


class ReportError(ValueError):
    """An LMS report that cannot be used; the message names the file and what is wrong."""


def _rows(path: Path) -> list[list[str]]:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ReportError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if size > MAX_BYTES:
        raise ReportError(f"{p}: {size:,} bytes is too large for a quiz report (at most {MAX_BYTES // 2**20} MB)")
    data = p.read_bytes()
    if data[:4] == b"PK\x03\x04":
        raise ReportError(f"{p}: this is a spreadsheet (.xlsx or .ods), not CSV: download the report as "
                          "'Comma separated values (.csv)'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportError(f"{p}: not UTF-8 text (byte {exc.start}): download the report as CSV again") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ReportError(f"{p}: not a readable CSV file ({exc})") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise ReportError(f"{p}: no data rows under the header")
    return rows


def _number(text: str, where: str) -> float | None:
    """A mark as Moodle or Canvas writes it ('1.00', '0,50', '-' or '' for none)."""
    t = text.strip()
    if t in ("", "-"):
        return None
    t = t.replace(",", ".") if "," in t and "." not in t else t.replace(",", "")
    try:
        return float(t)
    except ValueError:
        raise ReportError(f"{where}: '{text[:40]}' is not a mark") from None


# ------------------------------------------------------------------------------------------------ Moodle

def _moodle_head(path: Path, head: list[str]) -> dict[str, int]:
    index = {h.strip(): i for i, h in enumerate(head)}
    for name in ("Last name", "First name", "Status"):
        if name not in index:
            raise ReportError(f"{path}: no '{name}' column; this is not a Moodle quiz report downloaded as CSV "
                              f"(columns found: {', '.join(h for h in head[:8])}{' ...' if len(head) > 8 else ''})")
    return index


def _person(row: list[str], head: list[str], index: dict[str, int]) -> tuple[str, str]:
    """(the name shown, the key matching the same attempt in both reports: names, identity fields, start time)."""
    first_question = min([i for i, h in enumerate(head) if MOODLE_QUESTION.match(h.strip())
                          or MOODLE_GRADE.match(h.strip()) or MOODLE_RESPONSE.match(h.strip())] or [len(head)])
    ident = [row[i].strip() for i, h in enumerate(head[:first_question]) if h.strip() not in MOODLE_FIXED
             and i < len(row)]
    last, first = row[index["Last name"]].strip(), row[index["First name"]].strip()
    started = row[index["Started"]].strip() if "Started" in index and index["Started"] < len(row) else ""
    shown = f"{first} {last}".strip() + (f" <{ident[0]}>" if ident and ident[0] else "")
    return shown, "\x1f".join([last.casefold(), first.casefold(), *(i.casefold() for i in ident), started])


def _started(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), MOODLE_TIME)
    except ValueError:
        return None


def _first_attempts(path: Path, rows: list[tuple[str, str, list[str]]], index: dict[str, int],
                    notes: list[str]) -> list[tuple[str, str, list[str]]]:
    """One finished attempt per student: the earliest started (file order when the dates cannot be read)."""
    finished = [r for r in rows if r[2][index["Status"]].strip() == MOODLE_FINISHED]
    skipped = len(rows) - len(finished)
    if skipped:
        notes.append(f"{path.name}: {skipped} attempt(s) not finished (in progress, overdue, never submitted) left "
                     "out")
    by_student: dict[str, tuple[str, str, list[str]]] = {}
    several = 0
    for shown, key, row in finished:
        person = key.rsplit("\x1f", 1)[0]
        old = by_student.get(person)
        if old is None:
            by_student[person] = (shown, key, row)
            continue
        several += 1
        t_old = _started(old[2][index["Started"]]) if "Started" in index else None
        t_new = _started(row[index["Started"]]) if "Started" in index else None
        if t_old is not None and t_new is not None and t_new < t_old:
            by_student[person] = (shown, key, row)
    if several:
        notes.append(f"{path.name}: {several} later attempt(s) left out: each student's first finished attempt "
                     "is analyzed")
    return list(by_student.values())


def read_moodle(grades: Path | None = None, responses: Path | None = None) -> ClassResponses:
    """A Moodle quiz's Grades report (marks) and/or Responses report (choices), downloaded as CSV."""
    if grades is None and responses is None:
        raise ReportError("give the Moodle Grades report, the Responses report, or both")
    notes: list[str] = []
    marks: dict[str, tuple[str, list[float | None]]] = {}
    slots: list[tuple[int, float]] = []
    if grades is not None:
        g = Path(grades)
        rows = _rows(g)
        head = [h.strip() for h in rows[0]]
        index = _moodle_head(g, head)
        cols = [(i, MOODLE_QUESTION.match(h)) for i, h in enumerate(head)]
        qcols = [(i, int(m.group(1)), float(m.group(2).replace(",", "."))) for i, m in cols if m]
        if not qcols:
            raise ReportError(f"{g}: no 'Q. 1 /1.00' columns: in the Grades report, tick 'Marks for each question' "
                              "before downloading")
        slots = [(n, mx) for _, n, mx in qcols]
        people = []
        for r, row in enumerate(rows[1:], start=2):
            if row[index["Last name"]].strip() in MOODLE_AVERAGE:
                continue
            if len(row) < len(head):
                raise ReportError(f"{g}: row {r} has {len(row)} cells, the header {len(head)}")
            shown, key = _person(row, head, index)
            people.append((shown, key, row))
        for shown, key, row in _first_attempts(g, people, index, notes):
            values = []
            for i, n, _mx in qcols:
                cell = row[i].strip()
                if cell.lower().startswith("requires grading"):
                    notes.append(f"{g.name}: {shown}, question {n} still requires grading: counted as 0")
                    values.append(None)
                    continue
                values.append(_number(cell, f"{g}: row for {shown}, column 'Q. {n}'"))
            marks[key] = (shown, values)
    picked: dict[str, tuple[str, dict[int, str], dict[int, str]]] = {}
    texts: dict[int, str] = {}
    if responses is not None:
        rp = Path(responses)
        rows = _rows(rp)
        head = [h.strip() for h in rows[0]]
        index = _moodle_head(rp, head)
        resp = {int(m.group(1)): i for i, h in enumerate(head) if (m := MOODLE_RESPONSE.match(h))}
        right = {int(m.group(1)): i for i, h in enumerate(head) if (m := MOODLE_RIGHT.match(h))}
        qtext = {int(m.group(1)): i for i, h in enumerate(head) if (m := MOODLE_TEXT.match(h))}
        if not resp:
            raise ReportError(f"{rp}: no 'Response 1' columns: in the Responses report, tick 'Response' before "
                              "downloading")
        people = []
        for r, row in enumerate(rows[1:], start=2):
            if len(row) < len(head):
                raise ReportError(f"{rp}: row {r} has {len(row)} cells, the header {len(head)}")
            shown, key = _person(row, head, index)
            people.append((shown, key, row))
        for shown, key, row in _first_attempts(rp, people, index, notes):
            picked[key] = (shown, {n: row[i] for n, i in resp.items()}, {n: row[i] for n, i in right.items()})
            for n, i in qtext.items():
                texts.setdefault(n, row[i].strip())
        if not slots:
            slots = [(n, 1.0) for n in sorted(resp)]
            if not right or set(right) != set(resp):
                raise ReportError(f"{rp}: a Responses report alone has no marks: give the Grades report too "
                                  "(--moodle-grades), or download the Responses report with 'Right answer' ticked")
            notes.append("marks come from the Responses report: a response equal to the right answer scores 1, "
                         "anything else 0 (partial credit cannot be seen; give the Grades report for it)")
            for key, (shown, rs, rights) in picked.items():
                marks[key] = (shown, [None if rs[n].strip() in ("", "-") else
                                      float(rs[n].strip() == rights[n].strip()) for n, _ in slots])
        unmatched = [picked[k][0] for k in picked if k not in marks]
        if unmatched:
            notes.append(f"{len(unmatched)} attempt(s) in the Responses report match no row of the Grades report "
                         f"(e.g. {unmatched[0]}): left out")
    items = []
    multi = {n: _moodle_multi([c for _, rs, rt in picked.values() for c in (rs.get(n, ""), rt.get(n, ""))])
             for n, _ in slots}
    for n, mx in slots:
        keys: tuple[str, ...] = ()
        if picked:
            rights = {rights.get(n, "").strip() for _, (_, _, rights) in picked.items()} - {"", "-"}
            if len(rights) == 1:
                keys = tuple(_moodle_split(rights.pop(), multi[n]))
        items.append(ItemInfo(f"q{n}", f"Q. {n}", texts.get(n, ""), mx, (), keys))
    students, scores, choices = [], [], []
    for key, (shown, values) in sorted(marks.items(), key=lambda kv: kv[1][0].casefold()):
        students.append(shown)
        scores.append(values)
        if key in picked:
            rs = picked[key][1]
            choices.append([tuple(_moodle_split(rs.get(n, ""), multi[n])) or (NO_ANSWER,) for n, _ in slots])
        else:
            choices.append([("(not in the Responses report)",) if picked else (NO_ANSWER,) for _ in slots])
    if grades is not None and responses is None:
        notes.append("no Responses report given: option counts need it (--moodle-responses)")
    elif any(not it.keys for it in items):
        items = infer_keys(items, scores, choices)
    source = " + ".join(str(p) for p in (grades, responses) if p is not None)
    return ClassResponses(items, students, scores, choices, f"Moodle: {source}", notes)


def _moodle_split(summary: str, multi: bool = True) -> list[str]:
    """The choices in a Moodle response summary: '; ' joins several choices of a multiple-response question; a
    single choice whose own text holds '; ' stays whole (``multi`` False)."""
    s = summary.strip()
    if s in ("", "-"):
        return []
    return [part.strip() for part in s.split("; ") if part.strip()] if multi else [s]


def _moodle_multi(cells: list[str]) -> bool:
    """Whether a Responses column joins several choices: some cell splits at '; ' into parts of which one is,
    elsewhere in the column, a whole response (a single choice that merely contains '; ' never splits into other
    responses)."""
    whole = {c.strip() for c in cells if c.strip() not in ("", "-")}
    return any(len(parts) > 1 and any(part in whole for part in parts)
               for parts in (_moodle_split(c) for c in whole))


# ------------------------------------------------------------------------------------------------ Canvas

def _canvas_split(cell: str) -> list[str]:
    """Canvas joins several choices with ',' and writes a comma inside a choice as '\\,'."""
    parts, buf, i = [], [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell) and cell[i + 1] == ",":
            buf.append(",")
            i += 2
            continue
        if c == ",":
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(c)
        i += 1
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def _is_multi(cells: list[str]) -> bool:
    """Whether a Canvas response column joins several choices: Canvas escapes a comma inside a choice only for
    multiple-answer questions, so an escaped comma says so; otherwise the column is taken as multiple-answer when
    a cell splits into parts of which one is, somewhere else in the column, a whole answer (a single-choice answer
    that merely contains a comma never splits into other answers)."""
    if any("\\," in c for c in cells):
        return True
    whole = {c.strip() for c in cells if c.strip()}
    return any(len(parts) > 1 and any(part in whole for part in parts)
               for parts in (_canvas_split(c) for c in cells))


def read_canvas(path: Path) -> ClassResponses:
    """A Canvas (Classic Quizzes) Student Analysis report, as downloaded (CSV)."""
    p = Path(path)
    rows = _rows(p)
    head = rows[0]
    low = [h.strip().lower() for h in head]
    if "submitted" not in low or not all(t in low for t in CANVAS_TAIL):
        raise ReportError(f"{p}: not a Canvas Student Analysis report (expected the columns 'submitted', "
                          f"'n correct', 'n incorrect' and 'score'; found: {', '.join(head[:6])} ...)")
    first = low.index("submitted") + 1 + ("attempt" in low)
    last = low.index("n correct")
    questions = []
    i = first
    while i < last:
        m = CANVAS_QUESTION.match(head[i].strip())
        if not m or i + 1 >= last:
            raise ReportError(f"{p}: column {i + 1} ('{head[i][:40]}') should be '<question id>: <question text>' "
                              "followed by a points column")
        try:
            points = float(head[i + 1])
        except ValueError:
            raise ReportError(f"{p}: column {i + 2} should hold the points possible of question {m.group(1)}, not "
                              f"'{head[i + 1][:20]}'") from None
        questions.append((i, m.group(1), " ".join(m.group(2).split()), points))
        i += 2
    if not questions:
        raise ReportError(f"{p}: no question columns between 'submitted' and 'n correct'")
    name_col = low.index("name") if "name" in low else None
    id_col = low.index("id") if "id" in low else None
    attempt_col = low.index("attempt") if "attempt" in low else None
    notes: list[str] = []
    seen: dict[str, tuple[int, int]] = {}
    kept: list[list[str]] = []
    for r, row in enumerate(rows[1:], start=2):
        if len(row) < len(head):
            raise ReportError(f"{p}: row {r} has {len(row)} cells, the header {len(head)}")
        who = (row[id_col].strip() if id_col is not None else "") or (row[name_col].strip() if name_col is not None
                                                                      else f"student {r - 1}")
        attempt = int(row[attempt_col]) if attempt_col is not None and row[attempt_col].strip().isdigit() else 1
        if who in seen:
            if attempt < seen[who][0]:
                kept[seen[who][1]] = row
                seen[who] = (attempt, seen[who][1])
            notes.append(f"{who}: several attempts; the first is analyzed")
            continue
        seen[who] = (attempt, len(kept))
        kept.append(row)
    items = [ItemInfo(f"q{qid}", f"Q{n} ({qid})", text[:70], pts) for n, (_, qid, text, pts)
             in enumerate(questions, start=1)]
    students, scores, choices = [], [], []
    for r, row in enumerate(kept, start=1):
        name = row[name_col].strip() if name_col is not None and row[name_col].strip() else f"student {r}"
        if id_col is not None and row[id_col].strip():
            name += f" ({row[id_col].strip()})"
        students.append(name)
        scores.append([_number(row[i + 1], f"{p}: row for {name}, points of question {qid}")
                       for i, qid, _, _ in questions])
        choices.append([row[i] for i, _, _, _ in questions])
    multi = [_is_multi([c[n] for c in choices]) for n in range(len(questions))]
    choices = [[tuple(_canvas_split(cells[n]) if multi[n] else [cells[n].strip()] if cells[n].strip() else [])
                or (NO_ANSWER,) for n in range(len(questions))] for cells in choices]
    if len(set(notes)) != len(notes):
        notes = sorted(set(notes))
    items = infer_keys(items, scores, choices)
    notes.append("Canvas's report does not name the right options: an option is marked as the key when every "
                 "student with full marks on the question chose exactly it")
    return ClassResponses(items, students, scores, choices, f"Canvas: {p}", notes)


def infer_keys(items: list[ItemInfo], scores: list[list[float | None]], choices: list[list[tuple[str, ...]]]
               ) -> list[ItemInfo]:
    """Items without a known key get the choice that every student with full marks made (when they agree)."""
    out = []
    for i, info in enumerate(items):
        if info.keys:
            out.append(info)
            continue
        full = {tuple(sorted(choices[s][i])) for s in range(len(scores))
                if scores[s][i] is not None and scores[s][i] >= info.max - 1e-9}
        full.discard((NO_ANSWER,))
        keys = next(iter(full)) if len(full) == 1 else ()
        out.append(ItemInfo(info.id, info.label, info.text, info.max, info.options, keys))
    return out

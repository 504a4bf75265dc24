"""Currency: the "What changed" log, the instructors' currency notes, stale-flag warnings in `her2course check`, and
no open-item wording left in what learners read."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from her2course import currency, drugs
from her2course.myst import literal
from her2course.paths import package_layout

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
LAST_REVIEWED = re.compile(r"\*Last reviewed: (\d{1,2} [A-Z][a-z]+ \d{4})\.\*")


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2course.cli", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def _set_flags(course: Path, flags_by_drug: dict[str, list[dict]]) -> None:
    path = course / "src" / "her2course" / "data" / "drugs.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for drug in raw["drugs"]:
        drug["flags"] = flags_by_drug.get(drug["id"], [])
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ---- the six-month rule ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("as_of", "today", "stale"), [
    ("2026-06", dt.date(2026, 12, 1), False),   # exactly six months after 1 June: not yet older
    ("2026-06", dt.date(2026, 12, 2), True),
    ("2026-05", dt.date(2026, 11, 1), False),
    ("2026-05", dt.date(2026, 11, 2), True),
    ("2025-12", dt.date(2026, 6, 2), True),     # across a year boundary
    ("2026-12", dt.date(2026, 12, 31), False),
])
def test_a_flag_is_stale_only_when_more_than_six_months_old(as_of, today, stale):
    assert currency.is_stale(as_of, today) is stale


def test_stale_flags_name_file_item_and_date_oldest_first(course_copy, copy_layout):
    _set_flags(course_copy, {
        "neratinib": [{"text": "An old open item about the dose table.", "as_of": "2025-03"}],
        "trastuzumab": [{"text": "A recent open item about biosimilars.", "as_of": "2026-11"},
                        {"text": "An older open item about the label month.", "as_of": "2024-10"}],
    })
    found = currency.stale_flags(copy_layout, dt.date(2026, 12, 7))
    assert [(f.item, f.as_of) for f in found] == [("trastuzumab", "2024-10"), ("neratinib", "2025-03")]
    assert all(f.file == copy_layout.drugs for f in found)
    assert str(found[1]) == (f"{copy_layout.drugs}: item 'neratinib': flag last checked 2025-03: "
                             "An old open item about the dose table.")


def test_check_lists_stale_flags_as_warnings_without_failing(course_copy):
    _set_flags(course_copy, {"tucatinib": [{"text": "Whether maintenance use is labeled.", "as_of": "2026-01"}],
                             "zongertinib": [{"text": "LVEF thresholds from summaries only.", "as_of": "2026-12"}]})
    result = _check("--today", "2027-01-15", cwd=course_copy)
    assert result.returncode == 0, result.stderr
    assert "No problems found." in result.stdout
    assert "Currency warning: 1 data flag last checked more than 6 months before 2027-01-15" in result.stdout
    assert "drugs.yaml: item 'tucatinib': flag last checked 2026-01: Whether maintenance use is labeled." \
        in result.stdout
    assert "zongertinib" not in result.stdout


def test_check_says_so_when_no_flag_is_stale(course_copy):
    _set_flags(course_copy, {"tucatinib": [{"text": "Whether maintenance use is labeled.", "as_of": "2026-11"}]})
    result = _check("--today", "2027-05-01", cwd=course_copy)
    assert result.returncode == 0, result.stderr
    assert "Currency: no data flag was last checked more than 6 months before 2027-05-01." in result.stdout


def test_check_rejects_a_malformed_day_by_name():
    result = _check("--today", "2026-13-01", cwd=ROOT)
    assert result.returncode == 2
    assert "expected a day as YYYY-MM-DD, got '2026-13-01'" in result.stderr


def test_every_stale_flag_of_the_course_is_listed_by_check():
    """The real course: whatever is stale on a given day is exactly what `check` prints for that day."""
    day = dt.date(2027, 9, 1)
    expected = currency.stale_flags(package_layout(), day)
    result = _check("--today", day.isoformat(), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for flag in expected:
        assert f"item '{flag.item}': flag last checked {flag.as_of}: {flag.text}" in result.stdout
    assert len(expected) == sum(len(d.flags) for d in drugs.all_drugs()), "every flag is older than 6 months by then"


# ---- the change log ----------------------------------------------------------------------------------------------

def test_changes_validate_and_are_newest_first():
    items = currency.changes()
    assert items, "the change log is empty"
    days = [c.updated for c in items]
    assert days == sorted(days, reverse=True)


def test_a_change_listed_out_of_order_or_with_a_bad_date_is_named(course_copy, copy_layout):
    path = copy_layout.data_dir / currency.CHANGES_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["changes"].reverse()
    raw["changes"][0]["date"] = "2026-02-30x"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    _, problems = currency.validate_changes(copy_layout)
    text = "\n".join(str(p) for p in problems)
    assert f"item '{raw['changes'][0]['id']}': field 'date': must be YYYY-MM or YYYY-MM-DD" in text
    assert "list the changes newest first" in text


def test_each_chapter_shows_one_last_reviewed_date_no_older_than_its_changes():
    reviewed: dict[str, dt.date] = {}
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        dates = [m for c in nb.cells if c.cell_type == "markdown" for m in LAST_REVIEWED.findall(c.source)]
        assert len(dates) == 1, f"{path.name}: expected one 'Last reviewed' date, found {dates}"
        reviewed[path.stem] = dt.datetime.strptime(dates[0], "%d %B %Y").date()
    for change in currency.changes():
        for chapter in change.chapters:
            assert chapter in reviewed, f"changes.yaml '{change.id}' names an unknown chapter '{chapter}'"
            assert reviewed[chapter] >= change.updated_day, (
                f"{chapter} was last reviewed {reviewed[chapter]}, before the update '{change.id}' "
                f"({change.updated}) that it now teaches")


def test_what_changed_page_lists_every_update_with_its_dates_and_sources():
    text = "\n".join(currency.what_changed_lines())
    for change in currency.changes():
        assert f"**{literal(change.topic)}**" in text  # data text is shown as written: no markup starts in it
        assert "{cite:p}`" + ",".join(dict.fromkeys(change.references)) + "`" in text
    assert "(22 July 2025; in the course since 7 December 2026)" in text  # CTCAE v6.0


def test_currency_notes_list_every_flag_with_its_month():
    text = "\n".join(currency.currency_notes_lines())
    for drug in drugs.all_drugs():
        for flag in drug.flags:
            assert literal(flag.text.rstrip(".")) in text  # the citation goes before the final full stop
    assert "*Last checked December 2026.*" in text
    assert "\\(Herceptin\\)" in text and "(Herceptin)" not in text


# ---- what learners read carries no open-item wording -------------------------------------------------------------

OPEN_ITEM_WORDING = re.compile(
    r"course (has not|could not|did not) (yet )?(read|reviewed|confirm|re-read)|not confirmed by the course"
    r"|as the course read|per FDA records|FDA records show|approval reports|not seen verbatim|Note \(20\d\d-\d\d\)"
    r"|verify (the exact|the indication|thresholds|the current wording)",
    re.IGNORECASE)


def test_no_open_item_wording_in_chapter_prose_or_outputs():
    found = []
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            texts = [cell.source]
            if cell.cell_type == "code":
                for out in cell.get("outputs", []):
                    data = out.get("data", {})
                    texts += [data.get("text/plain", ""), data.get("text/html", ""), data.get("text/markdown", "")]
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                found += [f"{path.name} cell {i}: {m.group(0)}" for m in OPEN_ITEM_WORDING.finditer(text)]
    assert not found, "open items belong on the currency notes page:\n" + "\n".join(found)


def test_learner_drug_tables_show_no_flags():
    for drug in drugs.all_drugs():
        if not drug.flags:
            continue
        table = drugs.prototype_table(drug.id)
        shown = " ".join([table.source, *(" ".join(row) for row in table.rows)])
        for flag in drug.flags:
            assert flag.text not in shown, f"{drug.id}: a flag reached the learner table"
        assert "type of approval not confirmed" not in shown


# ---- the built book -------------------------------------------------------------------------------------------------

def test_built_pages_render_the_log_and_the_notes(built_html):
    changed = (built_html / "book" / "what-changed.html").read_text(encoding="utf-8")
    notes = (built_html / "book" / "currency-notes.html").read_text(encoding="utf-8")
    assert "CTCAE version 6.0" in changed and "05-toxicity-management.html" in changed
    assert "{cite:p}" not in changed and "{cite:p}" not in notes  # citations resolved, not printed raw
    assert "Last checked December 2026." in notes and "Hernexeos" in notes

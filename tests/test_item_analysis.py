"""Item analysis: hand-computed statistics, a generated class with known properties, and Moodle and Canvas reports
written in the layouts those systems download (sources in her2course/results/lmsreports.py)."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from her2course.cli import main
from her2course.exports import Filters, notebook, select
from her2course.exports.common import plain
from her2course.quiz.schema import Numeric, Sata, Single
from her2course.results.classsim import ItemModel, collected, simulate, write_class
from her2course.results.itemdata import from_collected
from her2course.results.itemreport import chart, html_report, text_report, write_all
from her2course.results.itemstats import ClassResponses, ItemInfo, analyze, cronbach_alpha, kr20
from her2course.results.lmsreports import ReportError, read_canvas, read_moodle

# ------------------------------------------------------------------------------------------- by hand

TINY = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]


def _class(rows, maxes=None, names=None) -> ClassResponses:
    k = len(rows[0])
    maxes = maxes or [1] * k
    items = [ItemInfo(f"i{n}", f"Q{n}", max=float(m)) for n, m in enumerate(maxes, start=1)]
    names = names or [f"s{n}" for n in range(1, len(rows) + 1)]
    return ClassResponses(items, names, [[float(v) for v in r] for r in rows],
                          [[("x",)] * k for _ in rows], "by hand")


def test_kr20_alpha_point_biserial_and_upper_lower_by_hand():
    # p = .8 .6 .4 .2, sum pq = .16 + .24 + .24 + .16 = .80; totals 4 3 2 1 0: variance 2; KR-20 = 4/3 (1 - .8/2) = .8
    assert kr20(np.array(TINY, dtype=float)) == pytest.approx(0.8)
    assert cronbach_alpha(np.array(TINY, dtype=float)) == pytest.approx(0.8)
    a = analyze(_class(TINY))
    assert [i.p for i in a.items] == pytest.approx([0.8, 0.6, 0.4, 0.2])
    assert a.form.kr20 == pytest.approx(0.8) and a.form.alpha == pytest.approx(0.8)
    # item 1 against the rest (3 2 1 0 0): cov .24, sd .4 and sqrt(1.36): r = .24 / (.4 * 1.16619) = .5145
    assert a.items[0].r == pytest.approx(0.24 / (0.4 * math.sqrt(1.36)))
    # 27% of 5 rounds to 1: upper group s1 (4 points), lower group s5 (0 points)
    assert a.form.group_size == 1 and [i.d for i in a.items] == pytest.approx([1, 1, 1, 1])
    assert a.form.sem == pytest.approx(math.sqrt(2) * math.sqrt(0.2))


def test_alpha_uses_points_and_kr20_full_marks():
    # two items worth 2 points: scores (2,2) (1,2) (0,1) (0,0)
    rows = [[2, 2], [1, 2], [0, 1], [0, 0]]
    a = analyze(_class(rows, maxes=[2, 2]))
    x = np.array(rows, dtype=float)
    item_var = x.var(axis=0).sum()                     # .6875 + .6875
    total_var = x.sum(axis=1).var()                    # totals 4 3 1 0: 2.5
    assert a.form.alpha == pytest.approx(2 * (1 - item_var / total_var))
    right = (x == 2).astype(float)                     # full marks: (1,1) (0,1) (0,0) (0,0)
    assert a.form.kr20 == pytest.approx(2 * (1 - (right.mean(0) * (1 - right.mean(0))).sum() / right.sum(1).var()))
    assert a.form.partial_items == 2


def test_flags_follow_the_bands():
    rows = [[1, 0, 1, 1], [1, 0, 1, 0], [1, 0, 0, 1], [1, 0, 0, 0], [1, 1, 0, 0]]
    a = analyze(_class(rows))
    by = {i.number: i for i in a.items}
    assert any("easy" in f for f in by[1].flags) and any("no discrimination" in f for f in by[1].flags)
    assert any("hard: p 0.20" in f for f in by[2].flags)
    assert any("negative discrimination" in f for f in by[2].flags)
    assert any("only 5 students" in n for n in a.notes)


def test_a_class_of_one_or_no_item_is_refused_clearly():
    with pytest.raises(ValueError, match="nothing to analyze"):
        analyze(ClassResponses([], [], [], [], "empty"))


# ---------------------------------------------------------------------------- a generated class (Rasch)

@pytest.fixture(scope="module")
def rasch():
    """300 students on 12 single-answer questions: difficulties -2.2 ... 2.2 (slope 1.7), plus one question that
    tells nobody apart (slope 0) and one that works backwards (slope -1.5)."""
    a = select(Filters.make(types=["single"]), count=14, seed=4)
    ids = a.item_ids
    models = {i: ItemModel(-2.2 + 4.4 * n / 11, 1.7) for n, i in enumerate(ids[:12])}
    models[ids[12]] = ItemModel(0.0, 0.0)
    models[ids[13]] = ItemModel(0.0, -1.5)
    records = simulate(a, 300, 11, models)
    return a, records, analyze(from_collected(collected(a, records)))


def test_difficulty_follows_the_simulated_difficulty(rasch):
    _, _, an = rasch
    p = [i.p for i in an.items[:12]]
    assert all(x > y for x, y in itertools.pairwise(p)), p   # harder item, lower p
    assert p[0] > 0.85 and p[-1] < 0.2


def test_discrimination_tells_good_flat_and_backwards_items_apart(rasch):
    _, _, an = rasch
    good = an.items[3:9]  # middle difficulties, where a Rasch item discriminates best
    assert all(i.r > 0.3 and i.d > 0.3 and not any("discrimination" in f for f in i.flags) for i in good)
    flat, backwards = an.items[12], an.items[13]
    assert abs(flat.r) < 0.15 and any("discrimination" in f for f in flat.flags)
    assert backwards.r < -0.2 and backwards.d < 0 and any("negative discrimination" in f for f in backwards.flags)
    assert an.items[0].flags and an.items[-3].flags   # the easiest and the hardest are flagged as such
    assert an.form.group_size == 81                   # 27% of 300


def test_more_items_of_the_same_kind_give_a_higher_kr20(rasch):
    a, _records, _an = rasch
    ids = a.item_ids[:12]
    half = select(Filters(), entries=[e for e in a.entries if e.id in ids[:6]], seed=a.seed)
    models = {i: ItemModel(-2.2 + 4.4 * n / 11, 1.7) for n, i in enumerate(ids)}
    short = analyze(from_collected(collected(half, simulate(half, 300, 11, models))))
    full = select(Filters(), entries=[e for e in a.entries if e.id in ids], seed=a.seed)
    long_ = analyze(from_collected(collected(full, simulate(full, 300, 11, models))))
    assert 0 < short.form.kr20 < long_.form.kr20


def test_option_counts_add_up_and_mark_the_key(rasch):
    a, _, an = rasch
    for item, e in zip(an.items, a.entries, strict=True):
        assert sum(o.count for o in item.options) == 300
        keys = [o for o in item.options if o.key]
        right = plain(next(o.text for o in e.item.options if o.correct))
        assert len(keys) == 1 and right.startswith(keys[0].option.rstrip("\u2026"))
        assert keys[0].count == round(item.p * 300)


def test_cli_analyzes_a_hand_in_folder(tmp_path: Path, rasch, capsys):
    a, records, an = rasch
    nb = tmp_path / "quiz.ipynb"
    notebook.export(a, nb, quiet=True)
    write_class(tmp_path / "in", records)
    (tmp_path / "in" / "stray.txt").write_text("not a hand-in", encoding="utf-8")
    out = tmp_path / "report"
    assert main(["results", "analyze", str(tmp_path / "in"), "--assignment-notebook", str(nb), "--out",
                 str(out)]) == 0
    said = capsys.readouterr().out
    assert "300 students, 14 items" in said and "KR-20" in said and "Wrote 6 files" in said
    rows = list(csv.DictReader((out / "item-analysis.csv").open(encoding="utf-8")))
    assert [float(r["p"]) for r in rows] == pytest.approx([i.p for i in an.items], abs=1e-4)
    assert (out / "item-analysis.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "item-analysis.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Difficulty p" in svg
    page = (out / "item-analysis.html").read_text(encoding="utf-8")
    assert 'alt="Scatter plot of 14 items' in page and "KR-20" in page and "<script" not in page
    options = list(csv.DictReader((out / "item-analysis-options.csv").open(encoding="utf-8")))
    assert {r["key"] for r in options} == {"yes", "no"}


# ------------------------------------------------------------------------ Moodle and Canvas reports

def _marks(a, records):
    got = collected(a, records)
    return {r.student: r for r in got.rows.values()}


def _answer_text(item, response) -> str:
    if isinstance(item, Single):
        return plain(next(o.text for o in item.options if o.id == response))
    if isinstance(item, Sata):
        return "; ".join(plain(o.text) for o in item.options if o.id in response)
    if isinstance(item, Numeric):
        return str(response)
    raise AssertionError(item.type)


def write_moodle(folder: Path, a, records, extra_attempt: bool = True) -> tuple[Path, Path]:
    """Grades and Responses reports as Moodle 4.5 downloads them (attempts_report.php add_user_columns,
    add_state_column, add_time_columns, add_grade_columns; overview qsgrade 'Q. n /marks'; responses
    'Response n' / 'Right answer n'; English strings from lang/en)."""
    marks = _marks(a, records)
    total = a.max
    gh = ["Last name", "First name", "Email address", "Status", "Started", "Completed", "Duration",
          f"Grade/{total:.2f}"] + [f"Q. {n} /{e.max:.2f}" for n, e in enumerate(a.entries, start=1)]
    rh = gh[:8] + [h for n, e in enumerate(a.entries, start=1) for h in (f"Response {n}", f"Right answer {n}")]
    grades, responses = [gh], [rh]
    for s, rec in enumerate(records):
        last, first = rec["student"].split(" ")[1], rec["student"].split(" ")[0]
        row = marks[rec["student"]]
        who = [last, first, f"s{s}@example.edu", "Finished", f"{1 + s % 28} March 2026, 10:{s % 60:02d} AM",
               f"{1 + s % 28} March 2026, 11:00 AM", "25 mins"]
        grades.append(who + [f"{row.total:.2f}"] + [f"{row.scores[e.id]:.2f}" for e in a.entries])
        resp = []
        for e in a.entries:
            right = next(plain(o.text) for o in e.item.options if o.correct) if isinstance(e.item, Single) else ""
            resp += [_answer_text(e.item, rec["answers"][e.id]["response"]), right]
        responses.append([*who, f"{row.total:.2f}", *resp])
    if extra_attempt:  # a later second attempt (all right) and an attempt still in progress: both left out
        later = list(grades[1])
        later[4] = later[4].replace("March", "April")
        grades.append(later[:8] + ["1.00"] * len(a.entries))
        grades.append(["Zed", "Ann", "z@example.edu", "In progress", "2 March 2026, 9:00 AM", "-", "-", "-"]
                      + ["-"] * len(a.entries))
    grades.append(["Overall average", "", "", "", "", "", "", "5.00"] + ["0.50"] * len(a.entries))
    paths = folder / "grades.csv", folder / "responses.csv"
    for path, rows in zip(paths, (grades, responses), strict=True):
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(rows)
    return paths


def write_canvas(path: Path, a, records) -> Path:
    """A Student Analysis report as canvas-lms writes it (quiz_statistics/student_analysis.rb, to_csv): name, id,
    sis_id, section, section_id, section_sis_id, submitted, attempt, then '<id>: <text>' and points possible per
    question, then n correct, n incorrect, score; several choices joined with ',' and a comma inside one as '\\,'."""
    marks = _marks(a, records)
    head = ["name", "id", "sis_id", "section", "section_id", "section_sis_id", "submitted", "attempt"]
    for n, e in enumerate(a.entries, start=1):
        head += [f"{1000 + n}: {plain(e.item.stem)}", f"{float(e.max)}"]
    head += ["n correct", "n incorrect", "score"]
    rows = [head]
    for s, rec in enumerate(records):
        row = marks[rec["student"]]
        cells = [rec["student"], str(500 + s), f"S{s:04d}", "Nursing 301", "77", "", "2026-03-02 10:00:00 UTC", "1"]
        for e in a.entries:
            text = _answer_text(e.item, rec["answers"][e.id]["response"])
            if isinstance(e.item, Sata):
                text = ",".join(plain(o.text).replace(",", "\\,") for o in e.item.options
                                if o.id in rec["answers"][e.id]["response"])
            cells += [text, f"{float(row.scores[e.id])}"]
        right = sum(row.scores[e.id] == e.max for e in a.entries)
        cells += [str(right), str(len(a.entries) - right), f"{float(row.total)}"]
        rows.append(cells)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture(scope="module")
def mixed():
    a = select(Filters.make(types=["single", "sata", "numeric"]), count=10, seed=8)
    records = simulate(a, 80, 5, {e.id: ItemModel(-1.5 + 0.33 * n, 1.5) for n, e in enumerate(a.entries)})
    return a, records, analyze(from_collected(collected(a, records)))


def test_moodle_reports_give_the_same_analysis_as_the_hand_ins(tmp_path: Path, mixed):
    a, records, ref = mixed
    grades, responses = write_moodle(tmp_path, a, records)
    got = analyze(read_moodle(grades, responses))
    assert got.form.students == 80
    assert [i.p for i in got.items] == pytest.approx([i.p for i in ref.items])
    assert [i.r for i in got.items] == pytest.approx([i.r for i in ref.items])
    assert got.form.alpha == pytest.approx(ref.form.alpha) and got.form.kr20 == pytest.approx(ref.form.kr20)
    assert any("not finished" in n for n in got.notes) and any("later attempt" in n for n in got.notes)
    for item, e in zip(got.items, a.entries, strict=True):
        if isinstance(e.item, Single):
            key = plain(next(o.text for o in e.item.options if o.correct))
            assert [o.option for o in item.options if o.key] == [key]
            chosen = {o.option: o.count for o in item.options}
            ref_item = ref.items[item.number - 1]
            assert chosen[key] == next(o.count for o in ref_item.options if o.key)
    grades_only = analyze(read_moodle(grades, None))
    assert [i.p for i in grades_only.items] == pytest.approx([i.p for i in ref.items])
    assert any("option counts need it" in n for n in grades_only.notes)


def test_canvas_report_gives_the_same_analysis_as_the_hand_ins(tmp_path: Path, mixed):
    a, records, ref = mixed
    got = analyze(read_canvas(write_canvas(tmp_path / "student_analysis.csv", a, records)))
    assert got.form.students == 80
    assert [i.p for i in got.items] == pytest.approx([i.p for i in ref.items])
    assert [i.d for i in got.items] == pytest.approx([i.d for i in ref.items])
    for item, e in zip(got.items, a.entries, strict=True):
        if isinstance(e.item, Sata):  # choices split on unescaped commas, '\\,' kept inside a choice
            labels = {o.option for o in item.options}
            assert labels <= {plain(o.text) for o in e.item.options} | {"(no answer)"}
        if isinstance(e.item, Single) and item.p > 0:
            assert [o.option for o in item.options if o.key] == [plain(next(o.text for o in e.item.options
                                                                              if o.correct))]


def test_cli_reads_moodle_and_canvas(tmp_path: Path, mixed, capsys):
    a, records, _ = mixed
    grades, responses = write_moodle(tmp_path, a, records)
    assert main(["results", "analyze", "--moodle-grades", str(grades), "--moodle-responses", str(responses),
                 "--out", str(tmp_path / "m")]) == 0
    assert "Moodle:" in capsys.readouterr().out
    canvas = write_canvas(tmp_path / "c.csv", a, records)
    assert main(["results", "analyze", "--canvas", str(canvas), "--out", str(tmp_path / "c")]) == 0
    assert "Canvas:" in capsys.readouterr().out and (tmp_path / "c" / "item-analysis.html").is_file()


def test_reports_that_cannot_be_read_say_why(tmp_path: Path, mixed, capsys):
    a, records, _ = mixed
    xlsx = tmp_path / "grades.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(ReportError, match=r"spreadsheet .* not CSV"):
        read_moodle(xlsx)
    other = tmp_path / "other.csv"
    other.write_text("Name,Score\nAda,3\n", encoding="utf-8")
    with pytest.raises(ReportError, match="no 'Last name' column"):
        read_moodle(other)
    with pytest.raises(ReportError, match="not a Canvas Student Analysis report"):
        read_canvas(other)
    grades, responses = write_moodle(tmp_path, a, records, extra_attempt=False)
    no_marks = tmp_path / "nomarks.csv"
    rows = list(csv.reader(grades.open(encoding="utf-8-sig")))
    with no_marks.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([r[:8] for r in rows])
    with pytest.raises(ReportError, match="tick 'Marks for each question'"):
        read_moodle(no_marks)
    only = tmp_path / "responses-only.csv"
    rows = list(csv.reader(responses.open(encoding="utf-8-sig")))
    keep = [i for i, h in enumerate(rows[0]) if not h.startswith("Right answer")]
    with only.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[r[i] for i in keep] for r in rows])
    with pytest.raises(ReportError, match="a Responses report alone has no marks"):
        read_moodle(None, only)
    bad = tmp_path / "bad.csv"
    rows = list(csv.reader(grades.open(encoding="utf-8-sig")))
    rows[3][9] = "lots"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(ReportError, match="'lots' is not a mark"):
        read_moodle(bad)
    assert main(["results", "analyze", "--canvas", str(other), "--out", str(tmp_path / "x")]) == 2
    assert "not a Canvas Student Analysis report" in capsys.readouterr().err
    assert main(["results", "analyze", "--canvas", str(other), "--moodle-grades", str(grades)]) == 2
    assert "give one source" in capsys.readouterr().err
    assert main(["results", "analyze", str(tmp_path)]) == 2
    assert "--assignment-notebook" in capsys.readouterr().err


def test_responses_alone_are_marked_right_or_wrong(tmp_path: Path, mixed):
    a, records, ref = mixed
    _, responses = write_moodle(tmp_path, a, records, extra_attempt=False)
    got = read_moodle(None, responses)
    assert any("partial credit cannot be seen" in n for n in got.notes)
    an = analyze(got)
    for item, e in zip(an.items, a.entries, strict=True):
        if isinstance(e.item, Single):
            assert item.p == pytest.approx(ref.items[item.number - 1].p)


# ------------------------------------------------------------------------------------ chart and notebook

def test_chart_and_reports_describe_what_they_show(rasch):
    _, _, an = rasch
    fig = chart(an)
    assert f"{len(an.flagged())} item(s) are flagged" in fig.alt and "Shaded bands" in fig.alt
    page = html_report(an, fig)
    assert page.count("<tr>") > len(an.items) and "weak discrimination" in page
    text = text_report(an)
    assert "Options chosen" in text and "negative discrimination" in text


def test_the_worked_example_is_reproducible_and_shows_every_kind_of_flag():
    from her2course.results import itemview

    itemview.worked_example.cache_clear()
    one = itemview.item_analysis_example()._repr_html_()
    itemview.worked_example.cache_clear()
    two = itemview.item_analysis_example()._repr_html_()
    assert one == two
    an = itemview.worked_example()
    flags = " ".join(f for i in an.items for f in i.flags)
    for word in ("hard", "easy", "negative discrimination"):
        assert word in flags
    assert 0.6 < an.form.kr20 < 0.95
    assert "Run this" not in repr(itemview.ItemAnalysisReport(an))


def test_the_analyzer_form_reports_bad_input_and_analyzes(tmp_path: Path, mixed):
    from her2course.results.itemview import ItemAnalyzer

    a, records, _ref = mixed
    view = ItemAnalyzer(tmp_path / "out")
    assert view.run() is None and "Not analyzed" in view.message.value
    grades, responses = write_moodle(tmp_path, a, records)
    view.source.value, view.first.value, view.second.value = "moodle", str(grades), str(responses)
    got = view.run()
    assert got is not None and (tmp_path / "out" / "item-analysis.csv").is_file()
    assert "Wrote 6 files" in view.message.value and "KR-20" in view.report.value
    bundle, _ = view._repr_mimebundle_()
    assert "worked example" in bundle["text/html"] and bundle["text/plain"] == repr(view)


def test_write_all_writes_every_file(tmp_path: Path, rasch):
    _, _, an = rasch
    names = [p.name for p in write_all(an, tmp_path)]
    assert names == ["item-analysis.csv", "item-analysis-options.csv", "item-analysis.txt", "item-analysis.html",
                     "item-analysis.svg", "item-analysis.png"]

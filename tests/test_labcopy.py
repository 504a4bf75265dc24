"""Learner copies for JupyterLab (her2course.labcopy, make lab-notebooks, make lab): what is rewritten and what is
not, citations exactly as the book prints them, a learner's edits never lost, and make lab running as root."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from her2course import labcopy

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
ROLE = re.compile(r"\{(term|cite(:[a-z]+)?|doc)\}`")


@pytest.fixture(scope="module")
def sources():
    return labcopy.Sources.load()


@pytest.fixture(scope="module")
def copies(tmp_path_factory, sources):
    dest = tmp_path_factory.mktemp("lab")
    labcopy.build(ROOT / "notebooks", dest, sources)
    return dest


def test_the_committed_copies_in_lab_are_the_ones_notebooks_makes(copies):
    """lab/ is committed so that a hub's nbgitpuller link or Binder opens a copy that reads as the book does; it
    must be exactly what `make notebooks` makes from notebooks/ now (run it after editing a chapter)."""
    made = sorted(p.name for p in copies.glob("*.ipynb"))
    assert sorted(p.name for p in (ROOT / "lab").glob("*.ipynb")) == made
    stale = [name for name in made if (ROOT / "lab" / name).read_bytes() != (copies / name).read_bytes()]
    assert not stale, f"lab/ copies out of date (run `make notebooks`): {stale}"


def md(nb, generated: bool | None = None) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"
            and (generated is None or bool(c.metadata.get("her2course")) == generated)]


def convert(sources, text: str, link=lambda t: None):
    conv = labcopy.Converter(sources, "test.ipynb", link)
    return conv.markdown(text, "cell 1"), conv


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_role_becomes_a_link_whose_target_is_in_the_copy(copies, path):
    nb = nbformat.read(copies / path.name, as_version=4)
    text = "\n".join(md(nb))
    assert not ROLE.search(text)
    labels = set(re.findall(r"^\(([^)]+)\)=$", text, re.M))
    targets = set(re.findall(r"\]\(#((?:term|ref)-[^)]+)\)", text))
    assert targets and targets <= labels, sorted(targets - labels)
    source = nbformat.read(path, as_version=4)
    for directive in ("dropdown", "admonition"):  # left for jupyterlab-myst to render
        pattern = rf"^```\{{{directive}\}}"
        assert len(re.findall(pattern, text, re.M)) == len(re.findall(pattern, "\n".join(md(source)), re.M))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_keep_outputs_without_execution_counts(copies, path):
    nb = nbformat.read(copies / path.name, as_version=4)
    source = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == [c.source for c in source.cells if c.cell_type == "code"]
    assert all(c.execution_count is None for c in code)
    assert sum(len(c.outputs) for c in code) == sum(len(c.outputs) for c in source.cells if c.cell_type == "code")
    assert nb.metadata["her2course_lab_copy"]["source"] == f"notebooks/{path.name}"


def test_citations_are_the_books_author_year_labels_in_the_books_order(sources):
    out, conv = convert(sources, "Two papers {cite:p}`yarden2001,hynes2005`; one {cite:t}`hynes2005`.")
    assert out == ("Two papers \\[[Hynes and Lane, 2005](#ref-hynes2005), [Yarden and Sliwkowski, 2001]"
                   "(#ref-yarden2001)\\]; one [Hynes and Lane \\[2005\\]](#ref-hynes2005).")
    assert conv.cited == {"yarden2001", "hynes2005"}
    assert labcopy.references_cell(conv).count("(ref-") == 2


def test_terms_keep_their_text_and_link_to_the_definition(sources):
    out, conv = convert(sources, "{term}`HER2-low` and {term}`boxed warnings <Boxed warning>`.")
    assert out == "[HER2-low](#term-her2-low) and [boxed warnings](#term-boxed-warning)."
    cell = labcopy.glossary_cell(conv)
    assert "(term-her2-low)=\n**HER2-low**\n: " in cell and "(term-boxed-warning)=\n**Boxed warning**\n: " in cell
    assert not ROLE.search(cell)


def test_code_is_left_alone_and_directive_titles_are_converted(sources):
    text = ("Write ``{cite:p}`wolff2018` `` to cite.\n\n```python\nx = \"{term}`HER2`\"\n```\n\n"
            "```{admonition} About {term}`HER2`\n:class: tip\nSee {cite:p}`wolff2018`.\n```\n")
    out, _ = convert(sources, text)
    assert "``{cite:p}`wolff2018` ``" in out and 'x = "{term}`HER2`"' in out
    assert "```{admonition} About [HER2](#term-her2)\n:class: tip\nSee \\[[Wolff et al., 2018](#ref-wolff2018)\\]." \
           in out


@pytest.mark.parametrize("text,words", [
    ("{term}`Not a term at all`", "'Not a term at all' is not a term of data/glossary.yaml"),
    ("{cite:p}`nobody1999`", "not in references.bib: nobody1999"),
    ("{doc}`the guide <../book/instructor-guide>`", "'../book/instructor-guide' has no page"),
    ("{cite:author}`wolff2018`", "{cite:author} has no learner-copy form"),
])
def test_a_problem_names_the_notebook_the_cell_and_what_is_wrong(sources, text, words):
    _, conv = convert(sources, text)
    assert len(conv.problems) == 1 and conv.problems[0].startswith("test.ipynb, cell 1: ") and words in \
        conv.problems[0]


def test_doc_links_point_at_the_copies_and_the_local_sections(copies):
    ch7 = "\n".join(md(nbformat.read(copies / "07-unfolding-cases.ipynb", as_version=4)))
    assert "[Chapter 5](05-toxicity-management.ipynb)" in ch7
    assert "[bibliography](#lab-references)" in ch7


@pytest.mark.book
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_citations_read_exactly_as_in_the_built_book(built_html, copies, path):
    page = (built_html / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
    book = [html.unescape(re.sub(r"<[^>]+>", "", s))
            for s in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', page, re.S)]
    nb = nbformat.read(copies / path.name, as_version=4)
    lab = [re.sub(r"\]\(#ref-[^)]+\)", "", g).replace("[", "").replace("\\", "")
           for g in re.findall(r"\\\[(.*?)\\\]", "\n".join(md(nb, generated=False)))]
    assert lab == [b.strip("[]").replace("\xa0", " ") for b in book]  # the book ties "Van Poznak" with a nbsp


def one_notebook(tmp_path: Path, name: str, text: str):
    """A notebooks/ folder with one notebook of one Markdown cell; returns (folder, lab folder, notebook)."""
    src, dest = tmp_path / "notebooks", tmp_path / "lab"
    src.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text)]
    nbformat.write(nb, src / name)
    return src, dest, nb


def test_rebuilding_keeps_a_learners_changes(tmp_path, sources):
    src, dest, nb = one_notebook(tmp_path, "01-one.ipynb", "# One\n\nAbout {term}`HER2`.")
    first = labcopy.build(src, dest, sources)
    assert first.written == ["01-one.ipynb"]
    assert labcopy.build(src, dest, sources).unchanged == ["01-one.ipynb"]

    mine = nbformat.read(dest / "01-one.ipynb", as_version=4)
    mine.cells.append(nbformat.v4.new_markdown_cell("My own notes."))
    nbformat.write(mine, dest / "01-one.ipynb")
    assert labcopy.build(src, dest, sources).unchanged == ["01-one.ipynb"]  # the source did not change
    assert "My own notes." in (dest / "01-one.ipynb").read_text()

    nb.cells[0].source += " Now also {term}`HER2-low`."
    nbformat.write(nb, src / "01-one.ipynb")
    report = labcopy.build(src, dest, sources)
    assert report.written == ["01-one.ipynb"] and len(report.kept) == 1
    assert "My own notes." in report.kept[0].read_text() and report.kept[0].parent.name == labcopy.BACKUP_DIR
    assert "[HER2-low](#term-her2-low)" in (dest / "01-one.ipynb").read_text()

    nb.cells[0].source += " Once more."  # an untouched copy is simply replaced
    nbformat.write(nb, src / "01-one.ipynb")
    report = labcopy.build(src, dest, sources)
    assert report.written == ["01-one.ipynb"] and report.kept == []


def test_a_bad_notebook_stops_the_build_before_anything_is_written(tmp_path, sources):
    src, dest, _ = one_notebook(tmp_path, "01-bad.ipynb", "See {cite:p}`nobody1999`.")
    with pytest.raises(labcopy.LabCopyError) as err:
        labcopy.build(src, dest, sources)
    assert "01-bad.ipynb, cell 1" in str(err.value)
    assert not dest.exists()
    assert labcopy.main(["--source", str(src), "--dest", str(dest)]) == 1


def test_make_lab_starts_jupyterlab_on_the_copies_even_as_root(tmp_path):
    from labserver import TOKEN, free_port

    port = free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"), "HER2COURSE_PROGRESS_DB": str(tmp_path / "p.sqlite3")}
    args = f"--no-browser --ServerApp.port={port} --ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}"
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_DIR={tmp_path / 'lab'}", f"LAB_ARGS={args}"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline, up = time.monotonic() + 180, None
        while up is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={TOKEN}", timeout=2) as r:
                    up = r.read().decode()
            except OSError:
                time.sleep(0.5)
        assert up is not None, proc.stdout.read() if proc.poll() is not None else "JupyterLab did not start"
        assert '"name": "01-her2-biology.ipynb"' in up.replace('":"', '": "')
        assert (tmp_path / "lab" / "my-progress.ipynb").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)

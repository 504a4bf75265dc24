"""Learner copies of the chapter notebooks for JupyterLab (``make lab``).

JupyterLab renders MyST through the jupyterlab-myst extension: admonitions, dropdowns (collapsed until opened),
figures, definition lists, and links to labels anywhere in the same notebook, each with a preview on hover. It
cannot resolve what only the book's Sphinx build knows: key terms (``{term}``, defined on the glossary page),
citations (``{cite:p}``, from references.bib) and links to other pages (``{doc}``). A learner copy rewrites exactly
those roles into links the extension does resolve, so a chapter reads in JupyterLab as it does in the book:

* ``{term}`text <Term>``` becomes ``[text](#term-...)``: a link to the term's definition in a section generated at
  the end of the copy from data/glossary.yaml (pointing at the link shows the definition in place);
* ``{cite:p}`a,b``` becomes the book's own author-year text, ``[Hynes and Lane, 2005, Yarden and Sliwkowski,
  2001]``, in the book's order (sphinxcontrib-bibtex's name templates and pybtex's plain-style sorting over
  references.bib, as the book build uses them), each label linked to its full reference in a "Works cited" list
  generated with pybtex's plain style (pointing at a label shows the reference);
* ``{doc}`text <target>``` becomes a link with a file suffix to the learner copy of another notebook, or to the
  copy's own glossary or works-cited section for the book's glossary and bibliography pages.

Everything else is left as written, and code cells keep their committed outputs (execution counts cleared). The
notebooks in notebooks/ stay the one place prose is edited: the copies in lab/ are generated (``make notebooks``)
and committed, so a hub's nbgitpuller link or Binder opens them; a test checks they are current. A copy
whose cells a learner changed is moved into ``my-earlier-copies/`` before a newer copy replaces it, never lost.

    python -m her2course.labcopy [--source notebooks] [--dest lab]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import nbformat

from . import glossary
from .paths import package_layout
from .references import Bibliography, bibliography

GENERATOR = "her2course.labcopy 1"
GLOSSARY_LABEL = "lab-glossary"
REFERENCES_LABEL = "lab-references"
BACKUP_DIR = "my-earlier-copies"

# A code span (left untouched) or a role; the leftmost match wins, so a role written inside ``...`` stays code.
_SPAN_OR_ROLE = re.compile(r"(?P<code>(?P<ticks>`+)[\s\S]+?(?<!`)(?P=ticks)(?!`))"
                           r"|\{(?P<role>[A-Za-z][\w:.+-]*)\}`(?P<body>[^`]+)`")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_TITLED = re.compile(r"^(?P<text>[\s\S]*?)\s*<(?P<target>[^<>]+)>\s*$")
# Directives whose body is not Markdown: their roles are shown as written.
_CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "math", "raw", "mermaid", "literalinclude"}


class LabCopyError(Exception):
    """What stops a learner copy from being made; each line names the notebook, the cell and the problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def _link_text(text: str) -> str:
    """Text for inside [...] of a Markdown link: brackets, emphasis marks and backticks escaped."""
    return re.sub(r"([\\\[\]*_`])", r"\\\1", " ".join(text.split()))


# ------------------------------------------------------------------------------------------------ the sources


@dataclass(eq=False)
class Sources:
    """The glossary and the bibliography, with the book's citation labels and order."""

    bib: Bibliography
    terms: dict[str, glossary.Term]  # casefolded term -> term

    @classmethod
    def load(cls) -> Sources:
        return cls(bib=bibliography(), terms={t.term.casefold(): t for t in glossary.terms()})

    @cached_property
    def _style(self):
        from pybtex.plugin import find_plugin

        return find_plugin("pybtex.style.formatting", "plain")()

    @cached_property
    def order(self) -> dict[str, int]:
        """Each key's position in the book's bibliography (pybtex's plain style sorts it; citations follow it)."""
        return {e.key: n for n, e in enumerate(self._style.sort(self.bib.data.entries.values()))}

    @cached_property
    def term_slugs(self) -> dict[str, str]:
        out: dict[str, str] = {}
        used: set[str] = set()
        for folded, t in sorted(self.terms.items()):
            base = "term-" + slug(t.term)
            label, n = base, 2
            while label in used:
                label, n = f"{base}-{n}", n + 1
            used.add(label)
            out[folded] = label
        return out

    @cached_property
    def _label_parts(self):
        """sphinxcontrib-bibtex's person style and year template (its author_year style's), and text backends.

        pybtex finds plugins by scanning every installed distribution's entry points on each call, so each
        plugin is looked up once here.
        """
        from pybtex.plugin import find_plugin
        from sphinxcontrib.bibtex.style.referencing import PersonStyle
        from sphinxcontrib.bibtex.style.template import year

        person = PersonStyle()
        return (person.author_or_editor_or_title(full=False), year, type("Style", (), {"person": person}),
                find_plugin("pybtex.backends", "text")(), find_plugin("pybtex.backends", "markdown")())

    @cache  # noqa: B019 - one Sources per run; labels are asked for again and again
    def label(self, key: str, textual: bool = False) -> str:
        """The book's author-year label: 'Hynes and Lane, 2005' ({cite:p}) or 'Hynes and Lane [2005]' ({cite:t}).

        Built with sphinxcontrib-bibtex's own templates (the ones its author_year style uses), so a label reads
        exactly as in the book.
        """
        from pybtex.style.template import join

        who, year, style, text, _ = self._label_parts
        data = {"entry": self.bib.data.entries[key], "style": style}
        template = join[who, " [", year, "]"] if textual else join(sep=", ")[who, year]
        return template.format_data(data).render(text)

    def full(self, keys: Iterable[str]) -> dict[str, str]:
        """Each key's full reference in Markdown (pybtex's plain style, as on the book's references page)."""
        markdown = self._label_parts[4]
        keys = list(keys)
        todo = [self.bib.data.entries[k] for k in keys if k not in self._full]
        for f in self._style.format_entries(todo):
            self._full[f.key] = " ".join(f.text.render(markdown).split())
        return {k: self._full[k] for k in keys}

    @cached_property
    def _full(self) -> dict[str, str]:
        return {}


# ------------------------------------------------------------------------------------------------ one notebook


@dataclass
class Converter:
    """Rewrites the roles of one notebook's Markdown and remembers which terms and works it linked."""

    sources: Sources
    where: str  # the notebook's path, for messages
    doc_link: Callable[[str], str | None]  # {doc} target -> link target, or None when it has no Lab equivalent
    terms: set[str] = field(default_factory=set)  # casefolded
    cited: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    linkable: set[str] | None = None  # while writing definitions: the terms that have a definition in this copy

    def markdown(self, text: str, cell: str) -> str:
        """``text`` with its term, citation and doc roles rewritten; code blocks and code spans untouched."""
        out: list[str] = []
        prose: list[str] = []
        code_fence: str | None = None  # the fence of the code block we are in
        directives: list[str] = []  # fences of the open directives, innermost last

        def flush() -> None:
            if prose:
                out.append(_SPAN_OR_ROLE.sub(lambda m: self._role(m, cell), "".join(prose)))
                prose.clear()

        for line in text.splitlines(keepends=True):
            m = _FENCE.match(line.rstrip("\r\n"))
            if code_fence is not None:
                out.append(line)
                if m and not m["info"] and m["fence"][0] == code_fence[0] and len(m["fence"]) >= len(code_fence):
                    code_fence = None
                continue
            if m:
                info = m["info"]
                name = info[1:info.find("}")] if info.startswith("{") and "}" in info else None
                if not info and directives and m["fence"] == directives[-1]:
                    directives.pop()  # the end of a directive
                    flush()
                    out.append(line)
                    continue
                if name is not None and name not in _CODE_DIRECTIVES:
                    directives.append(m["fence"])  # a directive holding Markdown: its title and body are prose
                    flush()
                    head = line[:m.start("info")]
                    out.append(head + _SPAN_OR_ROLE.sub(lambda r: self._role(r, cell), line[len(head):]))
                    continue
                else:
                    flush()
                    code_fence = m["fence"]
                    out.append(line)
                    continue
            prose.append(line)
        flush()
        return "".join(out)

    def _role(self, m: re.Match, cell: str) -> str:
        if m["code"] is not None:
            return m["code"]
        role, body = m["role"], m["body"]
        if role == "term":
            return self._term(body, cell)
        if role in ("cite", "cite:p", "cite:t"):
            return self._cite(body, cell, textual=role == "cite:t")
        if role == "doc":
            return self._doc(body, cell)
        if role.startswith("cite"):
            self.problems.append(f"{self.where}, {cell}: the role {{{role}}} has no learner-copy form; "
                                 "use {cite:p} or {cite:t}")
        return m[0]  # roles jupyterlab-myst renders itself ({abbr}, {sub}, {numref}...)

    def _term(self, body: str, cell: str) -> str:
        t = _TITLED.match(body)
        text, target = (t["text"], t["target"]) if t else (body, body)
        folded = " ".join(target.split()).casefold()
        if folded not in self.sources.terms:
            self.problems.append(f"{self.where}, {cell}: {{term}} '{target}' is not a term of data/glossary.yaml")
            return text
        if self.linkable is not None and folded not in self.linkable:
            return text  # a see-also term this copy does not define: plain text, never a dead link
        self.terms.add(folded)
        return f"[{_link_text(text)}](#{self.sources.term_slugs[folded]})"

    def _cite(self, body: str, cell: str, textual: bool) -> str:
        keys = [k.strip() for k in body.split(",") if k.strip()]
        missing = [k for k in keys if k not in self.sources.bib]
        if missing or not keys:
            self.problems.append(f"{self.where}, {cell}: citation key(s) not in references.bib: "
                                 f"{', '.join(missing) or '(none given)'}")
            return body
        self.cited.update(keys)
        ordered = sorted(dict.fromkeys(keys), key=lambda k: self.sources.order.get(k, 1 << 30))
        links = ", ".join(f"[{_link_text(self.sources.label(k, textual))}](#ref-{slug(k)})" for k in ordered)
        return links if textual else f"\\[{links}\\]"

    def _doc(self, body: str, cell: str) -> str:
        t = _TITLED.match(body)
        text, target = (t["text"], t["target"].strip()) if t else (body, body.strip())
        link = self.doc_link(target)
        if link is None:
            self.problems.append(f"{self.where}, {cell}: {{doc}} '{target}' has no page in the JupyterLab copies "
                                 "(link a chapter, or the book's glossary or references page)")
            return text
        return f"[{_link_text(text)}]({link})"


def _cells_digest(nb) -> str:
    return hashlib.sha256(json.dumps([c.get("source", "") for c in nb.cells]).encode()).hexdigest()


def glossary_cell(conv: Converter) -> str | None:
    """The definitions of the terms this chapter links (and the terms they refer to), or None if it links none."""
    sources = conv.sources
    chosen = set(conv.terms)
    for folded in list(chosen):
        chosen |= {s.casefold() for s in sources.terms[folded].see_also}
    if not chosen:
        return None
    conv.linkable = chosen
    lines = [f"({GLOSSARY_LABEL})=", "## Key terms used in this chapter", "",
             "Each term linked in this chapter, defined as in the course glossary. Point at a linked term to read "
             "its definition where it is used, or select it to jump here.", ""]
    for folded in sorted(chosen):
        t = sources.terms[folded]
        definition = conv.markdown(glossary.definition_myst(t), f"the glossary entry '{t.term}'")
        lines += [f"({sources.term_slugs[folded]})=", f"**{t.term}**", f": {definition}", ""]
    conv.linkable = None
    return "\n".join(lines).rstrip() + "\n"


def references_cell(conv: Converter) -> str | None:
    if not conv.cited:
        return None
    keys = sorted(conv.cited, key=lambda k: conv.sources.order.get(k, 1 << 30))
    full = conv.sources.full(keys)
    lines = [f"({REFERENCES_LABEL})=", "### Works cited in this chapter", "",
             "Every work cited in this chapter, in full, in the order of the course bibliography.", ""]
    for k in keys:
        lines += [f"(ref-{slug(k)})=", full[k], ""]
    return "\n".join(lines).rstrip() + "\n"


def _new_cell(nb, cell_id: str, source: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["her2course"] = {"generated": cell_id}
    if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
        cell["id"] = cell_id
    else:
        cell.pop("id", None)
    return cell


def _is_references_heading(cell) -> bool:
    return cell.cell_type == "markdown" and bool(re.match(r"\s*##\s+References\s*$", cell.source.split("\n", 1)[0]))


def make_copy(path: Path, sources: Sources, doc_link: Callable[[str], str | None]) -> tuple[object, list[str]]:
    """The learner copy of the notebook at ``path`` and the problems found (an empty list when it is sound)."""
    nb = nbformat.read(path, as_version=4)
    conv = Converter(sources, str(path), doc_link)
    for n, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            cell.source = conv.markdown(cell.source, f"cell {n}")
        elif cell.cell_type == "code":
            cell.execution_count = None
            for out in cell.get("outputs", []):
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = None
    terms_md = glossary_cell(conv)
    refs_md = references_cell(conv)
    at = max((n for n, c in enumerate(nb.cells) if _is_references_heading(c)), default=None)
    if at is None:
        nb.cells += [_new_cell(nb, cid, md) for cid, md in (("lab-glossary", terms_md), ("lab-references", refs_md))
                     if md]
    else:
        if refs_md:
            nb.cells.insert(at + 1, _new_cell(nb, "lab-references", refs_md))
        if terms_md:
            nb.cells.insert(at, _new_cell(nb, "lab-glossary", terms_md))
    nbformat.validate(nb)
    return nb, conv.problems


# ------------------------------------------------------------------------------------------------ the folder


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # learners' edited copies moved aside


def _source_digest(path: Path) -> str:
    layout = package_layout()
    h = hashlib.sha256(GENERATOR.encode())
    for p in (path, layout.data_dir / "glossary.yaml", layout.bib):
        h.update(p.read_bytes())
    return h.hexdigest()


def _doc_linker(source_dir: Path, stems: set[str]) -> Callable[[str], str | None]:
    root = source_dir.resolve().parent
    pages = {root / "book" / "references": f"#{REFERENCES_LABEL}", root / "book" / "glossary": f"#{GLOSSARY_LABEL}"}

    def link(target: str) -> str | None:
        where = Path(os.path.normpath(source_dir.resolve() / target))
        where = where.with_suffix("") if where.suffix in (".ipynb", ".md") else where
        if where.parent == source_dir.resolve() and where.name in stems:
            return f"{where.name}.ipynb"
        return pages.get(where)

    return link


def _read_meta(path: Path) -> tuple[dict, str | None]:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return {}, None  # unreadable: treated as a learner's file and kept
    return dict(nb.metadata.get("her2course_lab_copy", {})), _cells_digest(nb)


def _keep(path: Path, dest: Path) -> Path:
    folder = dest / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d-%H%M%S", time.localtime(path.stat().st_mtime))
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    n = 2
    while target.exists():
        target, n = folder / f"{path.stem}-{stamp}-{n}{path.suffix}", n + 1
    path.replace(target)
    return target


def build(source_dir: Path, dest: Path, sources: Sources | None = None) -> Report:
    """Write a learner copy of every notebook in ``source_dir`` into ``dest``. Raises LabCopyError."""
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise LabCopyError([f"{source_dir}: no notebooks to copy"])
    sources = sources or Sources.load()
    link = _doc_linker(source_dir, {p.stem for p in notebooks})
    copies, problems = [], []
    for path in notebooks:
        nb, found = make_copy(path, sources, link)
        problems += found
        copies.append((path, nb))
    if problems:
        raise LabCopyError(problems)
    dest.mkdir(parents=True, exist_ok=True)
    report = Report()
    for path, nb in copies:
        target = dest / path.name
        digest = _source_digest(path)
        if target.exists():
            meta, cells = _read_meta(target)
            if meta.get("source_digest") == digest:
                report.unchanged.append(path.name)  # the learner's own changes, if any, stay where they are
                continue
            if cells is None or cells != meta.get("cells_digest"):
                report.kept.append(_keep(target, dest))
        nb.metadata["her2course_lab_copy"] = {
            "source": f"{source_dir.name}/{path.name}", "generator": GENERATOR, "source_digest": digest,
            "cells_digest": _cells_digest(nb),
            "note": "Generated by make lab from the notebook named in 'source'; edit that one, not this copy."}
        tmp = target.with_name(f".{target.name}.tmp")
        nbformat.write(nb, tmp)
        tmp.replace(target)
        report.written.append(path.name)
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m her2course.labcopy", description=__doc__.split("\n\n")[0])
    p.add_argument("--source", default="notebooks", type=Path, help="the source notebooks (default: notebooks)")
    p.add_argument("--dest", default="lab", type=Path, help="where the learner copies go (default: lab)")
    args = p.parse_args(argv)
    try:
        report = build(args.source, args.dest)
    except LabCopyError as exc:
        print("error: the JupyterLab copies were not made:", file=sys.stderr)
        for line in exc.problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"JupyterLab copies in {args.dest}/: {len(report.written)} written, {len(report.unchanged)} up to date.")
    for kept in report.kept:
        print(f"  Your changed copy was kept as {kept} (the new copy replaces it).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

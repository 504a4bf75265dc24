"""Class activities (``data/activities.yaml``): discussion prompts per chapter and the rubric for the
patient-teaching activity built on the chapter 6 handouts.

The instructor page renders both (:func:`discussion_markdown`, :func:`rubric_html`); each chapter's slides end
with its prompts (:func:`prompts_for`); the teaching kit writes the rubric as a printable page of its own.
"""

from __future__ import annotations

import html
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import DataError, Problem
from ..myst import literal
from ..paths import Layout, package_layout
from ..quiz import markup
from ..yamlfile import load_model, read_model

FILE = "activities.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompt(_Strict):
    prompt: str = Field(min_length=20)
    look_for: list[str] = Field(min_length=1)
    outcomes: list[str] = Field(min_length=1)
    references: list[str] = Field(min_length=1)


class Level(_Strict):
    id: str
    label: str
    points: int = Field(ge=0)


class Criterion(_Strict):
    id: str
    label: str
    descriptors: dict[str, str]


class TeachingActivity(_Strict):
    title: str
    handouts: list[str] = Field(min_length=1)
    steps: list[str] = Field(min_length=1)
    time_minutes: int = Field(ge=1)
    outcomes: list[str] = Field(min_length=1)
    references: list[str] = Field(min_length=1)
    levels: list[Level] = Field(min_length=2)
    criteria: list[Criterion] = Field(min_length=2)

    @model_validator(mode="after")
    def _every_cell(self) -> TeachingActivity:
        ids = [lv.id for lv in self.levels]
        for c in self.criteria:
            missing = [i for i in ids if i not in c.descriptors]
            extra = [k for k in c.descriptors if k not in ids]
            if missing or extra:
                raise ValueError(f"criterion '{c.id}' must describe every level exactly once "
                                 f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'})")
        return self

    @property
    def max_points(self) -> int:
        return max(lv.points for lv in self.levels) * len(self.criteria)


class Activities(_Strict):
    discussion: dict[str, list[Prompt]]
    teaching_activity: TeachingActivity


def _path(layout: Layout) -> Path:
    return layout.data_dir / FILE


def load(layout: Layout | None = None) -> Activities:
    return load_model(_path(layout or package_layout()), Activities)


def validate(layout: Layout) -> tuple[list[Prompt], list[Problem]]:
    """For ``her2course check``: the schema, reference keys, outcome keys and chapter ids."""
    from .. import outcomes
    from ..references import load_bibliography, missing_keys

    path = _path(layout)
    value, problems = read_model(path, Activities)
    if value is None:
        return [], problems
    try:
        bib = load_bibliography(layout.bib)
    except DataError as exc:
        bib = None
        problems += exc.problems
    known_outcomes = {o.key for o in outcomes.collect(layout)[0]}
    chapters = {p.stem for p in (layout.data_dir.parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    prompts: list[Prompt] = []
    for chapter, items in value.discussion.items():
        if chapters and chapter not in chapters:
            problems.append(Problem(path, chapter, "discussion", f"'{chapter}' is not a chapter notebook "
                                    f"(chapters: {', '.join(sorted(chapters))})"))
        for n, p in enumerate(items, start=1):
            where = f"{chapter} prompt {n}"
            if bib is not None:
                problems += missing_keys(bib, path, where, "references", p.references)
            problems += [Problem(path, where, "outcomes", f"'{o}' is not a learning outcome of the course")
                         for o in p.outcomes if o not in known_outcomes]
            prompts.append(p)
    act = value.teaching_activity
    if bib is not None:
        problems += missing_keys(bib, path, "teaching_activity", "references", act.references)
    problems += [Problem(path, "teaching_activity", "outcomes", f"'{o}' is not a learning outcome of the course")
                 for o in act.outcomes if o not in known_outcomes]
    return prompts, problems


def prompts_for(chapter: str) -> list[Prompt]:
    return list(load().discussion.get(chapter, []))


# ------------------------------------------------------------------------------------------------ rendering

def _cite(keys: list[str]) -> str:
    return "{cite:p}`" + ",".join(keys) + "`"


def discussion_markdown(chapter_titles: dict[str, str]) -> str:
    """MyST for the instructor page: a section per chapter, each prompt with what to listen for and its sources."""
    acts = load()
    out: list[str] = []
    for chapter, title in chapter_titles.items():
        prompts = acts.discussion.get(chapter, [])
        if not prompts:
            continue
        out.append(f"### {literal(title)}\n")
        for n, p in enumerate(prompts, start=1):
            out.append(f"{n}. **{literal(p.prompt)}**\n")  # data text shown as written (no markup from data)
            out.append(f"   *Outcomes:* {', '.join(p.outcomes)}. *Listen for:*\n")
            out += [f"   - {literal(point)}" for point in p.look_for]
            out.append(f"\n   *Sources:* {_cite(p.references)}\n")
    return "\n".join(out)


def rubric_html(activity: TeachingActivity | None = None) -> str:
    """The rubric as an accessible table: criteria in rows, levels in columns (with points)."""
    act = activity or load().teaching_activity
    e = html.escape
    head = "".join(f'<th scope="col">{e(lv.label)} ({lv.points})</th>' for lv in act.levels)
    rows = "".join(
        f'<tr><th scope="row">{e(c.label)}</th>'
        + "".join(f"<td>{e(c.descriptors[lv.id])}</td>" for lv in act.levels) + "</tr>"
        for c in act.criteria)
    return ('<div class="her2-table her2-wrap her2-rubric" role="region" tabindex="0" '
            'aria-labelledby="tbl-teaching-rubric">'
            f'<table><caption id="tbl-teaching-rubric">Rubric: {e(act.title)} ({len(act.criteria)} criteria, '
            f"{act.max_points} points)</caption><thead><tr><th scope=\"col\">Criterion</th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


def activity_markdown() -> str:
    """MyST for the instructor page: the activity's steps, then the rubric table."""
    act = load().teaching_activity
    lines = [f"**Time:** about {act.time_minutes} minutes per pair. **Outcomes:** {', '.join(act.outcomes)}. "
             f"**Handouts** (chapter 6): {'; '.join(literal(h) for h in act.handouts)}.\n"]
    lines += [f"{n}. {literal(s)}" for n, s in enumerate(act.steps, start=1)]
    lines.append(f"\nSources: {_cite(act.references)}\n")
    lines.append("```{raw} html\n" + rubric_html(act) + "\n```\n")
    return "\n".join(lines)


def rubric_page(title: str = "Patient-teaching rubric") -> str:
    """A printable stand-alone page (for the teaching kit): the steps, the rubric and a score line."""
    act = load().teaching_activity
    e = html.escape
    steps = "".join(f"<li>{markup.inline(s.strip())}</li>" for s in act.steps)
    css = ("body{font-family:system-ui,Arial,sans-serif;color:#111;max-width:60rem;margin:1.5rem auto;padding:0 1rem;"
           "line-height:1.4}table{border-collapse:collapse;width:100%}th,td{border:1px solid #555;padding:.35rem .5rem;"
           "vertical-align:top;text-align:left;font-size:.92rem}caption{text-align:left;font-weight:700;"
           "padding:.4rem 0}.line{display:inline-block;min-width:14rem;border-bottom:1px solid #111}"
           "@media print{body{margin:0;max-width:none}@page{size:landscape;margin:12mm}}")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n<main>\n"
            f"<h1>{e(act.title)}</h1>\n<p>Student: <span class=\"line\">&nbsp;</span> Handout: "
            f"<span class=\"line\">&nbsp;</span></p>\n<h2>Steps</h2>\n<ol>{steps}</ol>\n<h2>Rubric</h2>\n"
            f"{rubric_html(act)}\n<p>Total: <span class=\"line\">&nbsp;</span> of {act.max_points} points.</p>\n"
            "</main>\n</body>\n</html>\n")

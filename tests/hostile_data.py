"""A hostile copy of the course data: script-carrying strings in every text field that can reach a page.

Used by tests/test_no_script_from_data.py. Every string value in every data file gets a payload appended (an
``<img onerror>``, an ``<svg onload>``, a ``javascript:`` link, an ``<iframe srcdoc>``, quote and ``</script>``
breakouts...), each calling ``alert(N)`` with its own N, so a payload that runs names the field it came from.

Left alone are the values the schema restricts to a pattern, a fixed set or a known key (ids, enum values,
dates, reference keys): ``IDENTIFIER_KEYS`` lists them, and a test plants a payload in each of those too and
shows that ``her2course check`` refuses it, so they cannot carry script either. Lists of names that code looks
things up or selects by (``aliases``, ``tags``, ``kinases``) keep their names and gain a poisoned one; short
fields (``SHORT_FIELDS``) get a payload that fits their length limit. Cross-references stay consistent: a
glossary term's ``see_also`` names the poisoned term, and a name an item is looked up by stays one of its aliases.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

PAYLOADS = (
    "<img src=x onerror=alert({n})>",
    "<svg onload=alert({n})>",
    '"><img src=x onerror=alert({n})>',
    "'><svg onload=alert({n})>",
    "[link](javascript:alert({n}))",
    '<a href="javascript:alert({n})">link</a>',
    "</script><script>alert({n})</script>",
    '<iframe srcdoc="<script>parent.alert({n})</script>"></iframe>',
    "<details open ontoggle=alert({n})>",
    "<javascript:alert({n})>",
    "</textarea></style></title><img src=x onerror=alert({n})>",
    "{{raw}}`<img src=x onerror=alert({n})>` $x$ <!-- -->",
)
SHORT_PAYLOAD = "<svg onload=alert({n})>"  # 21 characters and more
TINY_PAYLOAD = "<b>'&\"</b>"  # fits in 12 characters: tests escaping only

# values that are identifiers, enum values, dates, numbers written as text, reference keys or lookup names, in
# every file and in some files only (a drug's "target" is text the reader sees; a pathway edge's is a node id)
IDENTIFIER_KEYS = frozenset({
    "id", "type", "chapter", "step", "cjmm_step", "difficulty", "learning_outcome", "reference", "references",
    "answer", "answers", "date", "as_of", "revised", "drug_class", "site", "kind", "group", "nclex", "aacn", "qsen",
    "case", "outcomes",
})
IDENTIFIER_KEYS_IN = {
    "drugs.yaml": frozenset({"routes", "route", "phase", "unit", "infusion_minutes", "observe_minutes", "approval"}),
    "clinical_rules.yaml": frozenset({"drug", "unit", "after", "measure"}),
    "cases": frozenset({"drug"}),
    "pathway.yaml": frozenset({"targets", "her2_surface", "blocked_by", "linker", "effect", "source", "target",
                               "members", "anchor", "adds", "removes", "kinase_targets", "drugs", "ligand_rescue"}),
    "monitoring.yaml": frozenset({"drugs", "when"}),
    "changes.yaml": frozenset({"updated", "chapters"}),
    # a framework's category names are what outcome maps name (looked up, spelled exactly)
    "frameworks.yaml": frozenset({"name", "formerly"}),
}
# whole sub-trees that are a computation, not text (a parametric item's parameters and the values computed from
# them: range ids, function names, drug ids, arithmetic expressions, names of computed values)
IDENTIFIER_SUBTREES = {"questions": ("params", "compute")}
# lists of names that code looks things up or selects by ("T-DXd", a tag, a kinase a drug blocks): each keeps its
# names and gains a poisoned one
EXTENDED_LISTS = frozenset({"aliases", "kinases", "tags"})
# (file or folder, key): the longest value the schema allows (a case's patient name prefixes its table ids)
SHORT_FIELDS = {("pathway.yaml", "tag"): 12, ("pathway.yaml", "label"): 30, ("cases", "name"): 24}


def _group(file: str) -> str:
    return file.split("/", 1)[0] if "/" in file else file


def is_identifier(file: str, key: str | None) -> bool:
    """``file`` is a data file's path relative to the data folder (``cases/ild-tdxd.yaml``)."""
    return key in IDENTIFIER_KEYS or key in IDENTIFIER_KEYS_IN.get(_group(file), frozenset())


def identifier_subtree(file: str, where: str) -> str | None:
    """The name of the computation sub-tree (see IDENTIFIER_SUBTREES) that the value at ``where`` lies in."""
    return next((name for name in IDENTIFIER_SUBTREES.get(_group(file), ()) if f".{name}." in where), None)


class Poisoner:
    def __init__(self) -> None:
        self.fields: dict[int, str] = {}  # N -> where the payload calling alert(N) was planted
        self.same: dict[tuple[str, str], str] = {}  # texts that must stay equal -> their one poisoned form

    def _payload(self, where: str, limit: int | None = None) -> str:
        n = len(self.fields) + 1
        self.fields[n] = where
        if limit is not None:
            text = SHORT_PAYLOAD.format(n=n)
            return text if len(text) <= limit else TINY_PAYLOAD
        return PAYLOADS[n % len(PAYLOADS)].format(n=n)

    def value(self, file: str, key: str | None, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            out = {k: self.value(file, str(k), v, f"{where}.{k}") for k, v in value.items()}
            if isinstance(value.get("name"), str) and isinstance(value.get("aliases"), list):
                out["aliases"].append(value["name"])  # the name it is looked up by stays a name of it
            return out
        if isinstance(value, list):
            if key in EXTENDED_LISTS:
                return [*value, f"x {self._payload(f'{where}[{len(value)}]')}"]
            return [self.value(file, key, v, f"{where}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, str) or is_identifier(file, key) or identifier_subtree(file, where):
            return value
        # a glossary term and the see_also naming it; a learning outcome that every case states alike
        group = ("term" if file == "glossary.yaml" and key in ("term", "see_also")
                 else "outcome" if ".learning_outcomes." in where else None)
        if group is not None:
            if (group, value) not in self.same:
                self.same[(group, value)] = f"{value} {self._payload(where)}"
            return self.same[(group, value)]
        limit = SHORT_FIELDS.get((file, key)) or SHORT_FIELDS.get((file.split("/", 1)[0], key))
        if limit is not None and len(value) + 1 + len(SHORT_PAYLOAD) > limit:
            return self._payload(where, limit)
        return f"{value} {self._payload(where)}"


def _glossary_first(path: Path) -> tuple[int, str]:
    return (0 if path.name == "glossary.yaml" else 1, str(path))


def hostile_copy(source: Path, bib: Path, root: Path) -> Poisoner:
    """Copy the data folder ``source`` into ``root`` (laid out as a checkout) with every text field poisoned."""
    data = root / "src" / "her2course" / "data"
    shutil.copytree(source, data)
    (root / "book").mkdir(parents=True, exist_ok=True)
    shutil.copy(bib, root / "book" / "references.bib")
    poisoner = Poisoner()
    for path in sorted(data.rglob("*.yaml"), key=_glossary_first):
        rel = path.relative_to(data).as_posix()
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        poisoned = poisoner.value(rel, None, raw, rel)
        path.write_text(yaml.safe_dump(poisoned, sort_keys=False, allow_unicode=True, width=10**6), encoding="utf-8")
    return poisoner


def identifier_copy(source: Path, data: Path, only: set[str] | None = None) -> dict[str, set[str]]:
    """Write the data of ``source`` into ``data`` with a payload in every identifier-like value (of the keys in
    ``only``, if given) instead; return {file: keys poisoned}."""
    planted: dict[str, set[str]] = {}

    def walk(file: str, key: str | None, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(file, str(k), v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(file, key, v, f"{where}[{i}]") for i, v in enumerate(value)]
        # a value inside a computation is named by the sub-tree: the check names the item's params or compute
        name = identifier_subtree(file, where) or (key if is_identifier(file, key) else None)
        if isinstance(value, str) and name is not None and (only is None or name in only):
            planted.setdefault(file, set()).add(name)
            return value + "<img src=x onerror=alert(0)>"
        return value

    for path in sorted(source.rglob("*.yaml")):
        rel = path.relative_to(source).as_posix()
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        (data / rel).write_text(yaml.safe_dump(walk(rel, None, raw, rel), sort_keys=False, allow_unicode=True,
                                               width=10**6), encoding="utf-8")
    return planted


ALERT = re.compile(r"alert\((\d+)\)")

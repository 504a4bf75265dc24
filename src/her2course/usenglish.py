"""US English for everything a learner reads: find British spellings, and give the US form.

The readers are US nursing students preparing for NCLEX-RN, so the course writes "diarrhea", "tumor", "edema",
"esophageal". The general word list is the `breame` package's British-to-American spelling table (about 1,700
pairs, Apache-2.0); it lacks most medical words, which :data:`MEDICAL` adds. A few British forms are also correct
US English in some senses and are left alone (:data:`AMBIGUOUS`).

``her2course check`` reports British spellings in the data files, and a test scans the built book's text.
"""

from __future__ import annotations

import re
from functools import cache

# Medical and course words that breame does not list, British -> US.
MEDICAL = {
    "antidiarrhoeal": "antidiarrheal",
    "antidiarrhoeals": "antidiarrheals",
    "authorisation": "authorization",
    "authorisations": "authorizations",
    "dimerisation": "dimerization",
    "heterodimerisation": "heterodimerization",
    "homodimerisation": "homodimerization",
    "dimerise": "dimerize",
    "dimerises": "dimerizes",
    "dimerised": "dimerized",
    "dyslipidaemia": "dyslipidemia",
    "dyspnoea": "dyspnea",
    "erythrodysaesthesia": "erythrodysesthesia",
    "hybridisation": "hybridization",
    "hypovolaemia": "hypovolemia",
    "hypokalaemia": "hypokalemia",
    "hypomagnesaemia": "hypomagnesemia",
    "hyperglycaemia": "hyperglycemia",
    "hypoglycaemia": "hypoglycemia",
    "hyperbilirubinaemia": "hyperbilirubinemia",
    "ischaemia": "ischemia",
    "ischaemic": "ischemic",
    "lymphoedema": "lymphedema",
    "oedema": "edema",
    "oedematous": "edematous",
    "oesophageal": "esophageal",
    "oesophagus": "esophagus",
    "oesophagitis": "esophagitis",
    "gastro-oesophageal": "gastroesophageal",
    "orthopnoea": "orthopnea",
    "apnoea": "apnea",
    "unlaboured": "unlabored",
    "laboured": "labored",
    "anaemic": "anemic",
    "leukaemia": "leukemia",
    "septicaemia": "septicemia",
    "haematology": "hematology",
    "haematologic": "hematologic",
    "haematological": "hematological",
    "haematoma": "hematoma",
    "haemorrhage": "hemorrhage",
    "haemodynamic": "hemodynamic",
    "paediatric": "pediatric",
    "foetal": "fetal",
    "foetus": "fetus",
    "aetiology": "etiology",
    "neutropaenia": "neutropenia",
    "thrombocytopaenia": "thrombocytopenia",
    "paracetamol": "acetaminophen",
    "mobilise": "mobilize",
    "sensitise": "sensitize",
    "sensitised": "sensitized",
    "characterise": "characterize",
    "characterised": "characterized",
    "minimise": "minimize",
    "minimised": "minimized",
    "stabilise": "stabilize",
    "stabilised": "stabilized",
    "optimise": "optimize",
    "optimised": "optimized",
    "individualise": "individualize",
    "individualised": "individualized",
    "neutralise": "neutralize",
    "neutralised": "neutralized",
    "internalises": "internalizes",
}

# British forms that are also right in US English in some sense: never flagged.
AMBIGUOUS = frozenset({
    "analyses",   # the plural of "analysis"
    "axe",        # axe-core, the accessibility engine
})

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


@cache
def table() -> dict[str, str]:
    """British -> US for every word the course checks (lower case)."""
    from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

    out = {k: v for k, v in BRITISH_ENGLISH_SPELLINGS.items() if k not in AMBIGUOUS and k != v}
    out.update(MEDICAL)
    return out


def _lookup(word: str) -> str | None:
    t = table()
    low = word.lower()
    if low in t:
        return t[low]
    return None


def british_words(text: str) -> list[tuple[str, str]]:
    """Every British spelling in ``text`` with its US form, in order of appearance (hyphenated parts too)."""
    found: list[tuple[str, str]] = []
    for m in _WORD.finditer(text):
        whole = m.group(0)
        us = _lookup(whole)
        if us is not None:
            found.append((whole, us))
            continue
        for part in whole.split("-"):
            us = _lookup(part)
            if us is not None:
                found.append((part, us))
    return found


def _match_case(src: str, us: str) -> str:
    if src.isupper() and len(src) > 1:
        return us.upper()
    if src[:1].isupper():
        return us[:1].upper() + us[1:]
    return us


def americanize(text: str, keep: re.Pattern[str] | None = None) -> str:
    """``text`` with every British spelling replaced by its US form; spans matching ``keep`` are left alone."""
    kept: list[str] = []

    def hold(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    if keep is not None:
        text = keep.sub(hold, text)

    def swap(m: re.Match[str]) -> str:
        whole = m.group(0)
        us = _lookup(whole)
        if us is not None:
            return _match_case(whole, us)
        parts = whole.split("-")
        return "-".join(_match_case(p, _lookup(p)) if _lookup(p) else p for p in parts)

    text = _WORD.sub(swap, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)

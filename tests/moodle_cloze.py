"""Moodle's reader of Cloze (Embedded answers) question text, ported to Python for the tests.

It follows qtype_multianswer_extract_question in question/type/multianswer/questiontype.php (Moodle 4.5): the same
regular expressions, the same entity decoding and the same two backslash unescapes (\\} and \\#), so a test can
read an exported Cloze question the way Moodle will store it. PHP's variable-width look-behind (?<!\\\\|&|&amp;)
is written as three fixed-width ones, which match the same positions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
ALTERNATIVE = f"({FRACTION})?({ANSWER})(#({FEEDBACK}))?"
TYPES = ("(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
         "(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|"
         "(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
         "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)")
START = r"\{([0-9]*):(" + TYPES + "):"
MARKER = re.compile(START + "(" + ALTERNATIVE + "(~" + ALTERNATIVE + ")*)\\}", re.S)
ALT = re.compile("~?" + ALTERNATIVE, re.S)


@dataclass
class Part:
    kind: str
    weight: int
    answers: list[tuple[float, str, str]]  # (fraction 0..1, answer as stored, feedback as stored)


def _decode(text: str) -> str:
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def read_cloze(text: str) -> tuple[list[Part], str]:
    """The embedded parts of a Cloze question text as Moodle stores them, and the text left around them."""
    parts: list[Part] = []
    n = 0
    while m := MARKER.search(text):
        n += 1
        rest = m.group(16)
        answers = []
        while rest and (alt := ALT.search(rest)):
            if alt.group(1) == "=":
                frac = 1.0
            elif alt.group(2):
                frac = float(alt.group(2).replace(",", ".")) / 100
            else:
                frac = 0.0
            answers.append((frac, _decode(alt.group(3)), _decode(alt.group(5) or "")))
            rest = rest.split(alt.group(0), 1)[1]
        parts.append(Part(m.group(2), int(m.group(1) or 1), answers))
        text = text.replace(m.group(0), f"{{#{n}}}", 1)
    return parts, text

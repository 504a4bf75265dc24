"""Hand-ins: a learner's answers to an assignment, and the instructor's gradebook re-marked from them.

A learner exports the answers of one assignment from the progress database to a JSON file
(``her2course results export`` or the "Save my results file" button of the assignment notebook)::

    {"schema": "her2course-results", "schema_version": 2, "assignment": "asg-0123456789ab",
     "student": "Ada Lovelace", "exported_at": "2026-01-05T10:00:00+00:00",
     "answers": {"ch1-x": {"response": "b", "attempts": 2, "revealed": false}, ...}}

The file holds answers, never scores: the answer of an item is the learner's latest scored attempt. The
instructor runs ``her2course results collect DIR --assignment-notebook quiz.ipynb --csv grades.csv`` with the
notebook they built and handed out; the item list comes from that notebook (checked against its assignment id),
never from a hand-in. The collector marks every answer again with the course's grader
(:mod:`her2course.quiz.grading`) and ignores anything a file says about scores.

Modules: :mod:`.export` (the learner's side), :mod:`.handin` (reading one file safely), :mod:`.names` (Unicode
names and look-alikes), :mod:`.gradebook` (collecting and marking, the CSV), :mod:`.feedback` (one page per
learner), :mod:`.cli` (``her2course results``).
"""

from __future__ import annotations

from .cli import register
from .export import default_name, export_results, hand_in, results
from .feedback import feedback_html, write_feedback
from .gradebook import Collected, Marked, collect, load_assignment, write_gradebook
from .handin import MAX_BYTES, SCHEMA, SCHEMA_VERSION, ResultsError, read_results

__all__ = [
    "MAX_BYTES", "SCHEMA", "SCHEMA_VERSION", "Collected", "Marked", "ResultsError", "collect", "default_name",
    "export_results", "feedback_html", "hand_in", "load_assignment", "read_results", "register", "results",
    "write_feedback", "write_gradebook",
]

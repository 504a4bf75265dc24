"""Instructor exports: choose questions from the banks and write them for Canvas, Moodle, paper or a notebook.

``her2course quiz list`` / ``her2course quiz build`` (see :mod:`her2course.exports.cli`) call :func:`build`.
"""

from __future__ import annotations

from .selection import DEFAULT_SEED, Assignment, Entry, Filters, all_entries, assignment_id, from_ids, select

__all__ = ["DEFAULT_SEED", "Assignment", "Entry", "Filters", "all_entries", "assignment_id", "from_ids", "select"]

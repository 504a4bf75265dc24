"""The teaching kit: what an instructor needs to teach from the course without writing code.

- ``chapters``: what the kit reads from a chapter notebook (title, outcomes, safety alerts, cells tagged ``slides``).
- ``slides``: a reveal.js slide deck per chapter, generated as a notebook and converted by nbconvert.
- ``facilitator``: facilitator guides for the unfolding cases (the case data plus authored notes).
- ``activities``: discussion prompts per chapter and the patient-teaching rubric.
- ``kit``: the ready-made files (Canvas, Moodle XML, GIFT, printable quiz and key, blueprint CSV), built at book
  time by the same code as ``her2course quiz build``.
- ``pages``: the book's instructor pages, filled from the above when Sphinx reads them.
"""

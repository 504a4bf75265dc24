"""Build hook: the package carries its bibliography.

The course's one bibliography is ``book/references.bib`` (the book cites from it). A wheel or a non-editable
``pip install`` gets a copy of it as ``her2course/references.bib``, so an installed package (a JupyterHub's user
environment, a student's own ``pip install``) finds every reference key without the checkout. An editable install
reads the checkout's file directly (``her2course.paths``). Everything else is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BIB = Path("book") / "references.bib"


class BuildPyWithBibliography(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:
            self.copy_file(str(BIB), str(Path(self.build_lib) / "her2course" / "references.bib"))


setup(cmdclass={"build_py": BuildPyWithBibliography})

"""HER2-targeted therapy for nurses: the course package.

Data flows one way: YAML files in ``her2course/data`` are validated into models here, the chapter notebooks
call this package, and the book shows what the notebooks print.
"""

__version__ = "0.1.0"

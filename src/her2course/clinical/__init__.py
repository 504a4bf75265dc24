"""Clinical decision tools for learning (not for clinical decisions): each a pure function citing its label rule.

From a chapter notebook::

    from her2course.clinical import lvef_form, diarrhea_form, neratinib_form, ild_form, dose_form
    lvef_form()            # live form in JupyterLab, worked examples in the book

    from her2course.clinical import lvef_check, calculate_dose
    lvef_check(62, 46)     # a result card: action, reason, reference
"""

from ._common import DISCLAIMER
from .diarrhea import diarrhea_grade, escalation_steps, neratinib_diarrhea_action, neratinib_plan
from .dosing import calculate_dose, missed_dose, reduce_dose, reduction_table, vial_plan
from .forms import diarrhea_form, dose_form, ild_form, lvef_form, neratinib_form
from .ild import ild_action
from .lvef import WORKED_SERIES, lvef_check, lvef_figure, lvef_series

__all__ = [
    "DISCLAIMER", "WORKED_SERIES", "calculate_dose", "diarrhea_form", "diarrhea_grade", "dose_form", "escalation_steps",
    "ild_action", "ild_form", "lvef_check", "lvef_figure", "lvef_form", "lvef_series", "missed_dose",
    "neratinib_diarrhea_action", "neratinib_form", "neratinib_plan", "reduce_dose", "reduction_table", "vial_plan",
]

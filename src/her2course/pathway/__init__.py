"""The HER2 signalling pathway: model (data/pathway.yaml), simulation, explanations, diagrams, the live
explorer and the kernel-free scenario gallery.

From a chapter::

    from her2course.pathway import explorer, figures, gallery, simulate
    figures.family_figure(); figures.domains_figure(); figures.network_figure()
    figures.scenario_figure(["trastuzumab"], ["HER2 amplification", "p95HER2"])
    figures.adc_figure("T-DXd")
    figures.bypass_figure()                          # IGF-1R and MET beside HER2, under trastuzumab + pertuzumab
    figures.adc_resistance_figure("T-DXd")           # where the ADC path can fail, step by step
    gallery.gallery("resistance")
    explorer.explorer()
    simulate(["lapatinib"], ["p95HER2"]).outcomes
"""

from __future__ import annotations

from .engine import Result, run, simulate
from .model import UnknownName

__all__ = ["Result", "UnknownName", "run", "simulate"]

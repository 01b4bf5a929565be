"""Projection: constraints, hit years and the post-limit trajectory, vectorised over draws."""

from forecast.project.engine import project
from forecast.project.hits import closed_form_hit, hit_years, solve_hit
from forecast.project.inputs import (
    INPUT_KEYS,
    get_input,
    set_input,
    set_inputs,
    with_doubling_months,
)
from forecast.project.limits import ConstraintDraws, ProjectionInputs, Realised
from forecast.project.trajectory import LogLinear

__all__ = [
    "INPUT_KEYS",
    "ConstraintDraws",
    "LogLinear",
    "ProjectionInputs",
    "Realised",
    "closed_form_hit",
    "get_input",
    "hit_years",
    "project",
    "set_input",
    "set_inputs",
    "solve_hit",
    "with_doubling_months",
]

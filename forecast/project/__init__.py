"""Projection: constraints, hit years and the post-limit trajectory, vectorised over draws."""

from forecast.project.engine import (
    INPUT_KEYS,
    ConstraintDraws,
    LogLinear,
    ProjectionInputs,
    Realised,
    closed_form_hit,
    get_input,
    hit_years,
    project,
    set_input,
    set_inputs,
    solve_hit,
    with_doubling_months,
)

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

"""Projection: constraints, hit years and the post-limit trajectory, vectorised over draws."""

from forecast.project.engine import (
    ConstraintDraws,
    LogLinear,
    ProjectionInputs,
    closed_form_hit,
    interval,
    prob_hit,
    project,
    solve_hit,
)

__all__ = [
    "ConstraintDraws",
    "LogLinear",
    "ProjectionInputs",
    "closed_form_hit",
    "interval",
    "prob_hit",
    "project",
    "solve_hit",
]

"""The ``[sampler]`` table: the MCMC settings of a fit, and their limits."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from pydantic import ValidationInfo, field_validator
from pydantic.dataclasses import dataclass

from forecast.scenario.schema.base import CONFIG
from forecast.scenario.values import Bound, choice, context_of, default_of, invalid, whole

Backend = Literal["pymc", "nutpie"]
BACKENDS: tuple[str, ...] = ("pymc", "nutpie")
#: Sampler limits. The projection uses every posterior draw by default, so chains x
#: draws is held to the CLI's --draws maximum (the draws x years x ceilings arrays must
#: fit in memory); below 100 draws an 80% interval (10th/90th percentile) is noise.
SAMPLER_DRAWS = (100, 100_000)
SAMPLER_TUNE = (0, 100_000)
SAMPLER_CHAINS = (1, 16)
MAX_POSTERIOR_DRAWS = 200_000
#: NUTS adapts its step size to this acceptance rate. Below 0.5 the steps are too long
#: and the fits diverge; above 0.999 they are too short to move.
TARGET_ACCEPT = (0.5, 0.999)
TARGET_ACCEPT_BOUND = Bound(
    0.0,
    1.0,
    range=TARGET_ACCEPT,
    why="NUTS adapts its step size to this rate: below 0.5 the fits diverge, above 0.999 "
    "the steps are too short to move; PyMC's default is 0.8",
)


@dataclass(frozen=True, config=CONFIG)
class SamplerSettings:
    """MCMC settings of a fit: the ``[sampler]`` table of a scenario.

    The one settings class: :mod:`forecast.models` samples with it (and builds its own,
    e.g. lighter screening fits, in code, where the file limits do not apply).
    """

    chains: Annotated[
        int,
        whole(
            *SAMPLER_CHAINS,
            why="more chains only add run time; 4 are enough to check convergence",
        ),
    ] = 4
    draws: Annotated[
        int,
        whole(
            *SAMPLER_DRAWS,
            why="draws per chain: below 100 an 80% interval is noise, above 100,000 more "
            "add nothing",
        ),
    ] = 1000
    tune: Annotated[
        int,
        whole(*SAMPLER_TUNE, why="warm-up steps per chain; more than 100,000 only adds run time"),
    ] = 1000
    target_accept: Annotated[float, TARGET_ACCEPT_BOUND] = 0.9
    #: "pymc" (PyMC's NUTS) or "nutpie" (the optional extra).
    backend: Annotated[Backend, choice(BACKENDS)] = "pymc"

    @field_validator("draws")
    @classmethod
    def _posterior_fits_in_memory(cls, draws: int, info: ValidationInfo) -> int:
        # A rejected chains is not in info.data: its default stands in.
        chains = info.data.get("chains", default_of(cls, "chains"))
        if context_of(info) and draws * chains > MAX_POSTERIOR_DRAWS:
            raise invalid(
                f"chains x draws = {chains * draws:,} posterior draws; at most "
                f"{MAX_POSTERIOR_DRAWS:,} (the projection uses every posterior draw, and its "
                "draws x years arrays must fit in memory)"
            )
        return draws

    def key(self) -> dict:
        """The settings as a dict, for cache keys."""
        return dataclasses.asdict(self)

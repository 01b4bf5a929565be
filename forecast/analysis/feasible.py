"""The largest feasible run in a year, by physical limit, against Sevilla et al. (2024).

Sevilla et al. (2024, Epoch AI), "Can AI scaling continue through 2030?", ask how large
a training run the physical limits allow by 2030 (power, chips, data and the latency
wall; spending aside) and answer about 2e29 FLOP. Here the same quantity is read from a
projection: per draw, what each physical ceiling allows in that year
(``log10_flop_allowed``), the smallest of them being the largest feasible run. It is
computed for the scenario run and for the ``epoch-2030`` scenario, which takes that
analysis's inputs as stated, so a reader sees how much of any difference is the tool and
how much the inputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

#: The year of the comparison (the analysis's 2030 values).
YEAR = 2030
#: The physical kinds of ceiling, in the order the analysis weighs them.
PHYSICAL: tuple[str, ...] = ("power", "chips", "data", "compute")
#: The scenario that takes Sevilla et al.'s inputs as stated (shipped beside the others).
REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "epoch-2030.toml"

#: What Sevilla et al. (2024) publish for each limit by 2030, log10 FLOP: the 80%
#: interval ("whenever a range is given it is to be understood as an 80% CI", their
#: footnote 4) and the median where the text gives one (the medians of power, data and
#: latency are only in an interactive figure, so not quoted here).
PUBLISHED: dict[str, dict[str, float | None]] = {
    "power": {"median": None, "p10": np.log10(2e28), "p90": np.log10(2e30)},
    "chips": {"median": np.log10(9e29), "p10": np.log10(1e29), "p90": np.log10(5e30)},
    "data": {"median": None, "p10": np.log10(6e28), "p90": np.log10(2e32)},
    "compute": {"median": None, "p10": np.log10(3e30), "p90": np.log10(1e32)},
    # "training runs of 2e29 FLOP will likely be feasible by the end of this decade"; no
    # interval is given for it.
    "feasible": {"median": np.log10(2e29), "p10": None, "p90": None},
}
PUBLISHED_SOURCE = (
    "Sevilla et al. (2024), Epoch AI, 'Can AI scaling continue through 2030?' "
    "(https://epoch.ai/blog/can-ai-scaling-continue-through-2030): power 2e28-2e30 FLOP "
    "(distributed across sites), chips 1e29-5e30 (median 9e29), data 6e28-2e32, latency "
    "wall 3e30-1e32 (80% intervals); 2e29 FLOP likely feasible by 2030"
)


def allowed_by_kind(projection: xr.Dataset, year: int = YEAR) -> dict[str, np.ndarray]:
    """Per physical kind present, what it allows in ``year`` (log10 FLOP per draw): the
    smallest over the ceilings of that kind; and ``"feasible"``, the smallest of all.

    Empty when the projection has no physical ceiling or does not reach ``year``.
    """
    if "log10_flop_allowed" not in projection or year not in projection["year"].to_numpy():
        return {}
    kinds = [str(k) for k in projection["constraint_kind"].to_numpy()]
    allowed = projection["log10_flop_allowed"].sel(year=year).to_numpy()  # (K, S)
    out = {}
    for kind in PHYSICAL:
        rows = [i for i, k in enumerate(kinds) if k == kind]
        if rows:
            out[kind] = allowed[rows].min(axis=0)
    if out:
        out["feasible"] = np.min(np.stack(list(out.values())), axis=0)
    return out


def feasible(
    projection: xr.Dataset,
    reference: xr.Dataset | None = None,
    reference_name: str = "",
    year: int = YEAR,
) -> xr.Dataset | None:
    """The largest feasible run in ``year`` of a projection, and of a reference one.

    Parameters
    ----------
    projection : xarray.Dataset
        The scenario's projection (:func:`forecast.project.engine.project`).
    reference : xarray.Dataset, optional
        The projection of the scenario with the published inputs.
    reference_name : str
        Its name.
    year : int

    Returns
    -------
    xarray.Dataset or None
        Dims ``source`` ("scenario", "reference") and ``draw``: ``log10_flop`` per
        physical kind (NaN where a source has no ceiling of that kind) and ``feasible``;
        ``published_<stat>`` per kind (log10 FLOP, NaN where not published). None when
        the scenario has no physical ceiling.
    """
    own = allowed_by_kind(projection, year)
    if not own:
        return None
    other = allowed_by_kind(reference, year) if reference is not None else {}
    draws = projection.sizes["draw"]
    names = [*PHYSICAL, "feasible"]

    def column(values: dict[str, np.ndarray], name: str) -> np.ndarray:
        v = values.get(name)
        if v is None or v.shape[0] != draws:
            # A reference of another draw count is summarised by its own quantiles: keep
            # it whole by resampling to this length (sorted, so quantiles are kept).
            if v is None:
                return np.full(draws, np.nan)
            return np.quantile(v, (np.arange(draws) + 0.5) / draws)
        return v

    data = {
        name: (("source", "draw"), np.stack([column(own, name), column(other, name)]))
        for name in names
    }
    for stat in ("median", "p10", "p90"):
        data[f"published_{stat}"] = (
            ("kind",),
            [np.nan if PUBLISHED[n][stat] is None else float(PUBLISHED[n][stat]) for n in names],
        )
    return xr.Dataset(
        data,
        coords={"source": ["scenario", "reference"], "kind": names},
        attrs={
            "year": year,
            "reference": reference_name if other else "",
            "published_source": PUBLISHED_SOURCE,
        },
    )


def reference_projection(
    scenario, seed: int, draws: int | None, path: Path = REFERENCE
) -> tuple[xr.Dataset | None, str]:
    """Project the reference scenario (no fit: it gives every input), or (None, "") when
    it is absent or is the scenario itself."""
    from forecast.project.scenario import run_scenario
    from forecast.scenario import load_scenario

    if not path.is_file() or (scenario.path is not None and Path(scenario.path) == path):
        return None, ""
    reference = load_scenario(path)
    if reference.name == scenario.name:
        return None, ""
    result = run_scenario(reference, seed=seed, draws=draws, use_cache=True)
    return result.projection, reference.name

"""The supply side: the trend of the largest AI cluster, and the share of it one run takes.

**Largest cluster.** For each series s (H100-equivalents, power in W, hardware cost in
USD) and each group g, two log-linear trends:

- g = leading: the clusters among the ten largest when they began operating (existing or
  since decommissioned, in Epoch AI's standard analysis, since :data:`CLUSTERS_SINCE`);
- g = largest: those of them that were the largest when they began operating (the record).

    log10 y_i = a_gs + b_gs (t_i - t_ref) + e_i,   e_i ~ Student-t(nu, 0, sigma_gs).

``b_leading`` is the quantity Pilz et al. (2025, "Trends in AI supercomputers",
arXiv:2504.16026) report for the same data (their leading clusters: performance about
2.5x a year, power about 2x, hardware cost about 1.9x). The largest cluster at t is
``10 ** (a_largest + b_largest (t - t_ref))``: the line of records, not the typical leader,
as the tool's record of runs sits above its typical run. The record has grown faster than
the leaders (clusters of 100,000 chips and more since 2024), so it gets its own slope.
Planned clusters are never in the fit.

**A run's share of its cluster.** From the runs whose cluster is known
(``data/run_clusters.csv``: chips the run used over the chips of the cluster), the logit of
the share is normal with unknown mean and variance under the reference prior, so the share
of the next large run is drawn from the posterior predictive, a Student-t on the logit
scale with n - 1 degrees of freedom (closed form; no sampler needed):

    logit s* = m + sd * sqrt(1 + 1/n) * T_{n-1}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.models import priors as P
from forecast.models.posterior import SeriesFit

if TYPE_CHECKING:
    import pymc as pm

#: The fitted series and the ``clusters.csv`` column each comes from.
CLUSTER_SERIES: dict[str, str] = {
    "h100e": "h100e",
    "power_watts": "power_watts",
    "hardware_cost_usd": "hardware_cost_usd",
}
#: The fit starts in 2019, as Pilz et al. (2025) do: before it the data hold few clusters
#: built for AI, and the leading systems were scientific supercomputers.
CLUSTERS_SINCE = 2019.0
#: "Leading" is among the ten largest when first operational, as in Pilz et al. (2025).
LEADING_RANK = 10
#: The two groups fitted per series.
GROUPS = ("leading", "largest")
CLUSTER_REPORTED = ["level", "slope", "sigma"]
#: The central share of the share's predictive kept (see the module notes).
SHARE_KEPT = 0.98


@dataclass(frozen=True)
class ClusterData:
    """The leading clusters' dates, log10 sizes per series and which were the largest."""

    t: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    largest: dict[str, np.ndarray]
    names: dict[str, tuple[str, ...]]

    @classmethod
    def from_table(cls, clusters: pd.DataFrame, since: float = CLUSTERS_SINCE) -> ClusterData:
        """The leading existing (or decommissioned) clusters since ``since``, per series.

        Parameters
        ----------
        clusters : pandas.DataFrame
            ``load_clusters()``: ``t`` (first operational, decimal year), ``status``,
            ``rank_when_operational``, ``standard_analysis`` and the series' columns.
        since : float
            First decimal year fitted.
        """
        rows = clusters[
            (clusters["status"] != "planned")
            & clusters["standard_analysis"].astype(bool)
            & (clusters["rank_when_operational"] <= LEADING_RANK)
            & (clusters["t"] >= since)
        ]
        t, y, largest, names = {}, {}, {}, {}
        for series, column in CLUSTER_SERIES.items():
            values = rows[column].to_numpy(dtype=float)
            keep = np.isfinite(values) & (values > 0)
            t[series] = rows["t"].to_numpy(dtype=float)[keep]
            y[series] = np.log10(values[keep])
            largest[series] = (rows["rank_when_operational"].to_numpy()[keep] == 1).astype(float)
            names[series] = tuple(rows["name"].to_numpy()[keep])
        return cls(t=t, y=y, largest=largest, names=names)

    def key(self) -> dict:
        """Content for cache keys."""
        return {
            s: [
                np.round(self.t[s], 6).tolist(),
                np.round(self.y[s], 6).tolist(),
                self.largest[s].tolist(),
            ]
            for s in CLUSTER_SERIES
        }

    def counts(self) -> dict[str, int]:
        """Clusters per series, and how many of them were the largest."""
        return {s: int(len(self.t[s])) for s in CLUSTER_SERIES}

    @property
    def t_ref(self) -> float:
        """Reference year of the fitted levels (median operational date)."""
        return float(np.median(np.concatenate(list(self.t.values()))))


def build_cluster_model(data: ClusterData) -> pm.Model:
    """PyMC model of the three cluster series (no sampling)."""
    import pymc as pm  # only to build a model: a cached fit never needs it

    series = list(CLUSTER_SERIES)
    t_ref = data.t_ref
    with pm.Model(coords={"group": list(GROUPS), "series": series}) as model:
        model.t_ref = t_ref  # type: ignore[attr-defined]
        centres = np.array(
            [[np.median(data.y[s][data.largest[s] >= g]) for s in series] for g in (0, 1)]
        )
        level = pm.Normal("level", mu=centres, sigma=P.CLUSTER_LEVEL_SD, dims=("group", "series"))
        slope = pm.LogNormal(
            "slope",
            mu=math.log(P.CLUSTER_SLOPE_MEDIAN),
            sigma=P.CLUSTER_SLOPE_SIGMA,
            dims=("group", "series"),
        )
        sigma = pm.HalfNormal("sigma", sigma=P.CLUSTER_SCATTER_SD, dims=("group", "series"))
        nu = pm.Gamma("nu", alpha=P.NU_ALPHA, beta=P.NU_BETA)
        for g, group in enumerate(GROUPS):
            for i, s in enumerate(series):
                # The largest are a subset of the leading: each group is its own regression.
                pick = data.largest[s] >= g
                t, y = data.t[s][pick], data.y[s][pick]
                mu = level[g, i] + slope[g, i] * (t - t_ref)
                pm.StudentT(f"y_{group}_{s}", nu=nu, mu=mu, sigma=sigma[g, i], observed=y)
        pm.Deterministic("growth_per_year", 10.0**slope - 1.0, dims=("group", "series"))
    return model


@dataclass
class ClusterFit(SeriesFit):
    """Fitted trends of the leading and the largest clusters (per draw)."""

    def _param(self, name: str, series: str, group: str) -> np.ndarray:
        return self._stack(name)[:, GROUPS.index(group), list(CLUSTER_SERIES).index(series)]

    def slope(self, series: str, group: str = "largest") -> np.ndarray:
        """log10 growth per year of ``series`` of ``group``, per draw."""
        return self._param("slope", series, group)

    def growth_per_year(self, series: str, group: str = "largest") -> np.ndarray:
        """Yearly growth (0.5 is +50% a year) of ``series`` of ``group``, per draw."""
        return 10.0 ** self.slope(series, group) - 1.0

    def log10_at(self, series: str, year: np.ndarray | float, group: str = "largest") -> np.ndarray:
        """log10 of ``series`` of ``group`` at ``year`` (decimal), per draw: (S,) for one
        year, (S, Y) for Y years."""
        level = self._param("level", series, group)
        slope = self._param("slope", series, group)
        year = np.asarray(year, dtype=float)
        if year.ndim == 0:
            return level + slope * (float(year) - self.t_ref)
        return level[:, None] + slope[:, None] * (year[None, :] - self.t_ref)


@dataclass(frozen=True)
class ShareFit:
    """The share of its cluster a large run uses, from runs whose cluster is known.

    Attributes
    ----------
    shares : numpy.ndarray
        The observed shares (chips used / chips of the cluster), each in (0, 1].
    runs : tuple of str
        The runs they belong to.
    """

    shares: np.ndarray
    runs: tuple[str, ...]

    #: A run on every chip of its cluster has share 1, whose logit is infinite: shares are
    #: held below this before the logit (a run never gets quite all of a cluster's chips).
    MAX_SHARE = 0.99

    @classmethod
    def from_table(cls, run_clusters: pd.DataFrame, clusters: pd.DataFrame) -> ShareFit:
        """Shares of the runs in ``run_clusters`` (``run``, ``cluster``, ``chips``) of
        their cluster's ``chip_count`` in ``clusters``.

        Raises
        ------
        forecast.errors.DataError
            Fewer than three runs with a known share.
        """
        chips = clusters.set_index("name")["chip_count"].astype(float)
        cluster_chips = run_clusters["cluster"].map(chips).to_numpy(dtype=float)
        used = run_clusters["chips"].to_numpy(dtype=float)
        share = used / cluster_chips
        keep = np.isfinite(share) & (share > 0)
        if keep.sum() < 3:
            from forecast.errors import DataError

            raise DataError(
                f"the share of a cluster one run uses needs at least 3 runs whose cluster "
                f"and chips are known, found {int(keep.sum())}"
            )
        return cls(
            shares=np.minimum(share[keep], 1.0),
            runs=tuple(run_clusters["run"].to_numpy()[keep]),
        )

    def _logits(self) -> np.ndarray:
        s = np.minimum(self.shares, self.MAX_SHARE)
        return np.log(s / (1.0 - s))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of the next large run's share (posterior predictive), in (0, 1)."""
        z = self._logits()
        k = len(z)
        scale = float(np.std(z, ddof=1)) * math.sqrt(1.0 + 1.0 / k)
        from scipy import stats

        tail = (1.0 - SHARE_KEPT) / 2.0
        t = stats.t.ppf(rng.uniform(tail, 1.0 - tail, size=n), k - 1)
        logit = float(np.mean(z)) + scale * t
        return 1.0 / (1.0 + np.exp(-logit))

    def median(self) -> float:
        """The predictive median share (the inverse logit of the mean logit)."""
        return float(1.0 / (1.0 + np.exp(-np.mean(self._logits()))))


@dataclass(frozen=True)
class SupplyFits:
    """What a ``cluster`` ceiling takes from the data: the cluster trends, the run's share,
    the clusters themselves and the largest one operating at the data's end (H100e), below
    which the fitted size of the largest cluster is never taken."""

    clusters: ClusterFit
    share: ShareFit
    table: pd.DataFrame
    largest_h100e: float

"""The supply-side models: the largest-cluster trend (at its initial point) and the run's
share of its cluster (closed form)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from forecast.models.clusters import (
    CLUSTER_SERIES,
    GROUPS,
    ClusterData,
    ShareFit,
    build_cluster_model,
)


def _table() -> pd.DataFrame:
    """Leading clusters growing 2x a year, the largest 3x the leading line; one planned,
    one outside the top 10, one before 2019: none of those three is fitted."""
    rows = []
    for i, t in enumerate(np.arange(2019.0, 2025.5, 0.5)):
        size = 1e3 * 2.0 ** (t - 2019)
        rows.append(("lead", "existing", t, size, 2, True))
        if i % 2 == 0:
            rows.append(("top", "existing", t + 0.1, 3 * size, 1, True))
    rows += [
        ("plan", "planned", 2026.0, 1e7, 1, True),
        ("small", "existing", 2024.0, 10.0, 40, True),
        ("old", "existing", 2015.0, 5.0, 1, True),
    ]
    df = pd.DataFrame(
        rows, columns=["name", "status", "t", "h100e", "rank_when_operational", "standard_analysis"]
    )
    df["power_watts"] = df["h100e"] * 1.4e3
    df["hardware_cost_usd"] = df["h100e"] * 3e4
    return df


def test_cluster_data_keeps_leading_existing_clusters_since_2019():
    data = ClusterData.from_table(_table())
    for s in CLUSTER_SERIES:
        assert "plan" not in data.names[s] and "small" not in data.names[s]
        assert "old" not in data.names[s]
        assert len(data.t[s]) == 13 + 7
        assert data.largest[s].sum() == 7
    np.testing.assert_allclose(data.y["power_watts"] - data.y["h100e"], math.log10(1.4e3))


def test_cluster_model_logp_at_the_initial_point():
    data = ClusterData.from_table(_table())
    model = build_cluster_model(data)
    point = model.initial_point()
    logp = model.compile_logp()(point)
    assert np.isfinite(logp)
    assert list(model.coords["group"]) == list(GROUPS)
    # Each group is its own regression: 20 leading and 7 largest per series.
    sizes = {v.name: v.eval().size for v in model.observed_RVs}
    assert sizes["y_leading_h100e"] == 20 and sizes["y_largest_h100e"] == 7


def test_share_is_the_student_t_predictive_on_the_logit_scale():
    clusters = pd.DataFrame({"name": ["a", "b", "c", "d"], "chip_count": [100, 200, 400, 1000]})
    runs = pd.DataFrame(
        {
            "run": ["r1", "r2", "r3", "r4"],
            "cluster": ["a", "b", "c", "d"],
            "chips": [50, 80, 300, 1000],
        }
    )
    fit = ShareFit.from_table(runs, clusters)
    np.testing.assert_allclose(fit.shares, [0.5, 0.4, 0.75, 1.0])
    z = np.log(np.array([0.5, 0.4, 0.75, 0.99]) / (1 - np.array([0.5, 0.4, 0.75, 0.99])))
    assert fit.median() == pytest.approx(1 / (1 + math.exp(-z.mean())))
    draws = fit.draw(np.random.default_rng(1), 200_000)
    scale = z.std(ddof=1) * math.sqrt(1 + 1 / 4)

    def share(q: float) -> float:
        return 1 / (1 + math.exp(-(z.mean() + scale * st.t.ppf(q, 3))))

    # Truncated to the central 98%: nothing beyond the 1st and 99th percentiles.
    assert draws.min() >= share(0.01) and draws.max() <= share(0.99)
    # The 90th percentile of the draws: the 0.01 + 0.98 * 0.9 quantile of the predictive.
    assert np.quantile(draws, 0.9) == pytest.approx(share(0.01 + 0.98 * 0.9), abs=0.005)


def test_share_needs_three_runs():
    from forecast.errors import DataError

    clusters = pd.DataFrame({"name": ["a"], "chip_count": [100]})
    runs = pd.DataFrame({"run": ["r1", "r2"], "cluster": ["a", "a"], "chips": [10, 20]})
    with pytest.raises(DataError, match="at least 3 runs"):
        ShareFit.from_table(runs, clusters)

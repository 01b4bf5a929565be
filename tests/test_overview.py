"""`forecast data check`'s overview: counts by domain and era, counted by hand."""

import pandas as pd

from forecast.data.overview import record_and_latest, runs_by_era


def test_runs_by_era_counts_each_run_once():
    runs = pd.DataFrame(
        {
            "domain": ["vision", "vision", "language", "language", "language"],
            "t": [2009.99, 2010.0, 2017.5, 2018.0, 2025.1],
            "compute_flop": [1e18, 1e19, 1e22, 1e23, 5e26],
        }
    )
    table = runs_by_era(runs)
    assert list(table.columns) == ["before 2010", "2010-2017", "2018 on", "total"]
    assert table.loc["vision"].tolist() == [1, 1, 0, 2]
    assert table.loc["language"].tolist() == [0, 1, 2, 3]
    assert table.loc["all"].tolist() == [1, 2, 2, 5]
    record, latest = record_and_latest(runs)
    assert record["compute_flop"] == 5e26
    assert latest["t"] == 2025.1

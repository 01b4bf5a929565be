"""``economy.csv``: world GDP and semiconductor sales by year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from forecast.data import cells
from forecast.data.table import DATA_DIR, Column, read_table

#: GDP in current USD: 1e9 (below is almost surely billions written for dollars) to
#: 1e16 (a hundred times world GDP in 2022, 1.0e14).
GDP_RANGE = (1e9, 1e16)
#: Semiconductor sales: 1e6 USD (below: millions or billions written for dollars) to
#: 1e14 (world GDP; sales were 7.9e11 in 2025).
SALES_RANGE = (1e6, 1e14)

_gdp = cells.between(
    *GDP_RANGE,
    "USD",
    "write dollars, not billions; 1e16 is a hundred times world GDP",
    optional=True,
)
_sales = cells.between(
    *SALES_RANGE,
    "USD",
    "write dollars, not millions or billions; 1e14 is world GDP",
    optional=True,
)


def _year(cell: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise ValueError(f"expected a whole year, got {cell!r}") from None
    if not 1900 <= value <= dt.date.today().year:
        raise ValueError(f"expected a year between 1900 and this year, got {value}")
    return value


ECONOMY_COLUMNS = (
    Column("year", _year),
    Column("world_gdp_usd", _gdp),
    Column("us_gdp_usd", _gdp),
    Column("semiconductor_sales_usd", _sales),
    Column("source_title", cells.text),
    Column("source_url", cells.url),
)


def load_economy(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``economy.csv``: world GDP and semiconductor sales by year (current USD)."""
    frame = read_table(path or DATA_DIR / "economy.csv", ECONOMY_COLUMNS, unique="year")
    return frame.sort_values("year").reset_index(drop=True)

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def runs():
    from forecast.data import load_runs

    return load_runs()


@pytest.fixture(scope="session")
def hardware():
    from forecast.data import load_hardware

    return load_hardware()


@pytest.fixture(scope="session")
def openai_2018():
    from forecast.data import load_openai_2018

    return load_openai_2018()


@pytest.fixture()
def toy_data():
    """Twelve runs on a straight line with noise: a trend fit in a fraction of a second."""
    import numpy as np

    from forecast.models import TrendData

    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(2000, 2024, 12))
    return TrendData(
        t=t, y=18 + 0.3 * (t - 2010) + rng.normal(0, 0.2, 12), meas_sd=np.full(12, 0.2)
    )


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, or $CHROMIUM) driven by Playwright for Python; the
    test skips, saying why, where either is missing (`.ci/run` installs Chromium)."""
    from helpers import CHROMIUM

    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python is not installed (pip install playwright)",
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set $CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()

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

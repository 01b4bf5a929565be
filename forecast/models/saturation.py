"""The efficiency ceiling: a fitted efficiency trend bent towards a physical limit.

1/E(t) = 1/E_trend(t) + 1/E_max: equal to the trend while it is far below the limit, never
above the limit. Its own module (numpy only) so that the engine can use it without loading
the hardware model, and so that mutation testing can cover the formula alone.
"""

from __future__ import annotations

import numpy as np

__all__ = ["saturate", "saturate_ln"]


def saturate_ln(ln_trend: np.ndarray, ln_limit: np.ndarray | float) -> np.ndarray:
    """The efficiency ceiling in logs: ln E where 1/E = 1/E_trend + 1/E_max.

    The one formula of the ceiling (:func:`saturate` is its
    linear-scale form). E equals the trend while the trend is far below the ceiling and
    never exceeds the ceiling.

    Parameters
    ----------
    ln_trend : array_like
        ln of the unbounded log-linear trend (FLOP/J).
    ln_limit : array_like
        ln of the ceiling in FLOP/J; ``inf`` for no ceiling (then E is the trend exactly).
    """
    # ln(1/(1/a + 1/b)) = -logaddexp(-ln a, -ln b): no overflow, exact for ln b = inf.
    return -np.logaddexp(-np.asarray(ln_trend), -np.asarray(ln_limit))


def saturate(efficiency, limit):
    """Bend an efficiency trend towards a physical ceiling: 1/E = 1/E_trend + 1/limit.

    The linear-scale form of :func:`saturate_ln`, the one
    formula of the ceiling, which the projection evaluates in logs.

    Parameters
    ----------
    efficiency : array
        The unbounded log-linear trend (FLOP/s per W = FLOP/J).
    limit : array or float
        The ceiling in FLOP/J; ``inf`` means no ceiling.

    Returns
    -------
    numpy.ndarray
        The bent efficiency, FLOP/J.
    """
    with np.errstate(divide="ignore"):
        ln_limit = np.log(np.asarray(limit, dtype=float))
    return np.exp(saturate_ln(np.log(np.asarray(efficiency, dtype=float)), ln_limit))

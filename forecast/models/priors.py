"""Every prior of every model, in one place, each with the reason for it.

Scales are log10 units: y = log10(FLOP) for the compute trend, log10(FLOP/s per $)
and log10(FLOP/s per W) for hardware. Slopes are orders of magnitude per year.
"""

from __future__ import annotations

#: Era slopes of the compute trend: LogNormal(log(0.3), 1.0) in OOM/year.
#: Why: growth of the largest runs has been positive throughout the record; a median of
#: 0.3 OOM/yr (a 12-month doubling) sits between the pre-2010 (~20 months) and
#: deep-learning (~6 months) eras; sigma = 1 gives 90% prior mass to doubling times
#: between about 2 months and 5 years and essentially none below two weeks or above 50 years.
TREND_SLOPE_MEDIAN = 0.3
TREND_SLOPE_SIGMA = 1.0

#: Level at the reference year: Normal(median of the data, 3 OOM).
#: Why: centred on the data so it is weakly informative whatever the selection; 3 OOM
#: is wider than the whole spread of runs at any date.
TREND_LEVEL_SD = 3.0

#: Intrinsic scatter around the trend: HalfNormal(1.0) OOM.
#: Why: notable runs at one date differ by up to a few OOM; scatter above ~2 OOM would
#: mean there is no trend to speak of.
TREND_SCATTER_SD = 1.0

#: Student-t degrees of freedom: Gamma(2, 0.1) (Juarez and Steel 2010).
#: Why: the standard weakly-informative choice, allowing heavy tails (a few odd runs do
#: not drag the line) but also near-normal errors.
NU_ALPHA = 2.0
NU_BETA = 0.1

#: Level jump at a breakpoint (when enabled): Normal(0, 1.5) OOM.
#: Why: the large-scale trend of 2015-16 started 2-3 OOM above the main one; a 1.5 OOM
#: sd admits that without encouraging spurious jumps.
TREND_JUMP_SD = 1.5

#: Era fractions: Dirichlet(2, ..., 2) over the span of the data.
#: Why: breakpoints anywhere in the data, but eras of zero length are unlikely (the
#: density vanishes at the edges), which keeps the model identifiable.
ERA_CONCENTRATION = 2.0

#: Width (years) of the smooth transition at a breakpoint: a hard kink has a gradient
#: that jumps, which NUTS handles badly; ~5 weeks is far below the date uncertainty of runs.
TRANSITION_WIDTH_YEARS = 0.1

#: Drift of the slope (``[trend] model = "drift"``, a local linear trend): the slope of
#: each year differs from the year before's by Normal(0, omega), omega ~ HalfNormal(0.1)
#: OOM/yr per year. Why: a drift of 0.1 OOM/yr a year would turn a 6-month doubling into
#: a 4-month or 12-month one within three years, faster than any change of era measured
#: (the deep-learning era's slope held within about 0.1 OOM/yr for a decade), so the prior
#: allows every plausible drift and lets the data say how little there is. Set before any
#: backtest was run, not chosen on one.
TREND_DRIFT_SD = 0.1
#: Years between the knots at which the drifting slope may change.
TREND_DRIFT_KNOT_YEARS = 1.0

#: Hardware slopes: LogNormal(log(0.12), 0.8) OOM/year (median doubling 2.5 years).
#: Why: price-performance and efficiency have improved throughout; 90% prior mass
#: between doubling times of about 8 months and 9 years.
HARDWARE_SLOPE_MEDIAN = 0.12
HARDWARE_SLOPE_SIGMA = 0.8
#: Hardware level sd (OOM) and scatter sd (OOM), as for the trend.
HARDWARE_LEVEL_SD = 2.0
HARDWARE_SCATTER_SD = 0.5

#: A stated uncertainty factor f is a ~90% bound: sd of log10 = log10(f) / z_0.95.
Z90 = 1.6448536269514722


def measurement_sd(factor):
    """Known measurement error (log10 sd) of a run with uncertainty factor ``factor``."""
    import numpy as np

    return np.log10(np.asarray(factor, dtype=float)) / Z90


#: Realised conversion (what frontier runs achieved, all-in; see models/conversion.py).
#: Slopes Normal(0.1, 0.3) OOM/yr: realised FLOP/s per dollar and per watt have grown
#: about 0.1-0.15 OOM a year (the datasheet trends, x utilisation and format steps),
#: durations about 0.1 OOM a year; 0.3 lets the data move any of them from shrinking by
#: half an order of magnitude a year to growing by 0.7, and keeps a negative slope possible.
CONVERSION_SLOPE_MU = 0.1
CONVERSION_SLOPE_SD = 0.3
#: The three realised efficiencies (per dollar of cluster, per watt, per amortised dollar)
#: share one improvement rate, each within 0.05 OOM/yr of it: they ride the same chips,
#: and the datasheet trends of price-performance and energy efficiency differ by about
#: that much (0.10-0.12 OOM/yr). Chosen on the 2020 cutoff with the recency weighting
#: (benchmarks/select_conversion.py): pooled rates erred less than nearly separate ones
#: (within 0.3 OOM/yr) at every half-life (0.238 against 0.270 without weighting).
CONVERSION_SLOPE_SPREAD = 0.05
#: Level sd and scatter sd (OOM), as for the hardware fits.
CONVERSION_LEVEL_SD = 2.0
CONVERSION_SCATTER_SD = 0.5
#: A published cost or power figure's uncertainty as a ~90% factor, by Epoch AI's
#: confidence label: "confident" within 2x, "likely" within 3x, "speculative" within 10x
#: (Epoch's own bands for its compute estimates: a factor of ~3 for "likely", an order of
#: magnitude for "speculative"). Without a label, "likely".
CONFIDENCE_FACTOR = {"confident": 2.0, "likely": 3.0, "speculative": 10.0}
#: How a run's duration scales with its compute at one date (log10 D per log10 C):
#: TruncatedNormal(0.3, 0.3) on [-0.5, 0.9]. Why: runs ten times larger have lasted about
#: two to three times longer at the same date (a least-squares fit to the runs with
#: published durations since 2016 gives 0.4); the bounds keep a larger run from needing
#: less power or money than a smaller one (an exponent of 1 or more would), and allow
#: a weak opposite effect. Chosen on the 2020 cutoff (benchmarks/select_conversion.py):
#: with the size term the conversion erred less than with a duration trend in the date
#: alone at every half-life (0.238 against 0.253 without weighting).
DURATION_SIZE_MU = 0.3
DURATION_SIZE_SD = 0.3
DURATION_SIZE_BOUNDS = (-0.5, 0.9)
#: Recency: in the realised conversion's fit an older run may count less, its residual
#: variance doubling for every half-life it is older than the newest run (discounted least
#: squares); None weights every run alike. Chosen on one early cutoff only, then frozen
#: (benchmarks/select_conversion.py, its results in benchmarks/results/): fitted on the
#: runs published by 2020-01-01 and scored on those of 2020-2021, no weighting erred least
#: (mean absolute log10 error of capital cost, amortised cost and power 0.238; half-lives
#: of 3, 2, 1.5, 1 and 0.5 years 0.240-0.273). A half-life of one year had been chosen on
#: the 2022 and 2024 hindcasts, which the briefing then showed as the check: a setting
#: chosen on a check cannot pass it. Held out, the frozen settings price the runs after
#: 2022 and 2024 at about half their published amortised cost (the cost per FLOP of
#: frontier runs fell more slowly after 2022 than before); the briefing's hindcast says so.
RECENCY_HALF_LIFE_YEARS: float | None = None
#: Training durations are reported to about a week in months: a ~90% factor of 1.25.
DURATION_FACTOR = 1.25


def describe() -> list[tuple[str, str]]:
    """The priors as (name, distribution) rows, for reports."""
    return [
        ("era slope (OOM/yr)", f"LogNormal(log {TREND_SLOPE_MEDIAN}, {TREND_SLOPE_SIGMA})"),
        ("level at reference year (log10 FLOP)", f"Normal(data median, {TREND_LEVEL_SD})"),
        ("intrinsic scatter (OOM)", f"HalfNormal({TREND_SCATTER_SD})"),
        ("Student-t nu", f"Gamma({NU_ALPHA}, {NU_BETA})"),
        ("level jump at a breakpoint (OOM)", f"Normal(0, {TREND_JUMP_SD})"),
        ("era fractions", f"Dirichlet({ERA_CONCENTRATION}, ...)"),
        (
            "yearly drift of the slope (OOM/yr per year; model = drift)",
            f"HalfNormal({TREND_DRIFT_SD})",
        ),
        (
            "hardware slope (OOM/yr)",
            f"LogNormal(log {HARDWARE_SLOPE_MEDIAN}, {HARDWARE_SLOPE_SIGMA})",
        ),
    ]


#: Leading clusters' growth: LogNormal(log(0.3), 0.5) OOM/year (a median of 2x a year).
#: Why: AI clusters have grown by somewhere between 1.5x and 3x a year in every published
#: account; sigma = 0.5 gives 90% prior mass to about 1.3x-9x a year, and none to shrinking.
CLUSTER_SLOPE_MEDIAN = 0.3
CLUSTER_SLOPE_SIGMA = 0.5

#: Level of the leading clusters at the reference year: Normal(median of the data, 2 OOM).
#: Why: centred on the data, and wider than the spread of the leading clusters at any date.
CLUSTER_LEVEL_SD = 2.0

#: How far the largest cluster sits above the leading line: HalfNormal(0.5) OOM.
#: Why: the largest is above the typical top-10 cluster by definition, and rarely by more
#: than about 10x; the half-normal allows up to about 1 OOM at 95%.
CLUSTER_OFFSET_SD = 0.5

#: Scatter of the leading clusters around their line: HalfNormal(1.0) OOM.
#: Why: the ten largest clusters of a year differ by up to a few times; 1 OOM of scatter
#: would mean no trend.
CLUSTER_SCATTER_SD = 1.0

"""The briefing's back matter: the assumptions, the diagnostics of the fits and the appendix
of runs."""

from __future__ import annotations

from forecast.data.units import flop_to_pfs_days
from forecast.report import style as F
from forecast.report.document import Block, Bullets, Heading, Link, Para, Strong, Table
from forecast.results import Results


def _share(param) -> str:
    """A fraction as a percentage when fixed, else the distribution's description."""
    if param.is_fixed:
        return f"{100 * param.median():g}%"
    return param.describe()


def _share_days(param) -> str:
    """A duration in days when fixed, else the distribution's description."""
    return f"{param.median():g} days" if param.is_fixed else param.describe()


def assumptions_section(results: Results) -> list[Block]:
    """Every assumption with its value or distribution and its source."""
    sc = results.scenario
    blocks: list[Block] = [Heading(1, "Assumptions")]
    rows = []
    fitted = []
    if sc.trend.needs_fit:
        fitted.append(("trend (level and/or doubling time)", "fitted to the selected runs"))
    if sc.hardware.price_performance_needs_fit or sc.hardware.efficiency_needs_fit:
        fitted.append(
            (
                f"hardware price-performance and efficiency ({sc.hardware.precision})",
                "fitted to data/hardware.csv where not given",
            )
        )
    for c in sc.constraints:
        left = c.left_to_data(sc.set_keys)
        if left and c.kind == "chips":
            fitted.append(
                (
                    f"{c.name}: limit_h100e",
                    "the installed stock of AI accelerators, the latest figure in "
                    "data/accelerators.csv, grown at the ceiling's growth to its reference year",
                )
            )
        elif left:
            fitted.append(
                (
                    f"{c.name}: " + ", ".join(left),
                    "the largest cluster's trend fitted to data/clusters.csv (never below the "
                    "largest operating at the data's end); the share of its cluster a run used, "
                    "from data/run_clusters.csv",
                )
            )
    unused = sc.unused_keys()
    for key, param in sc.parameters().items():
        if key in unused:  # an input the chosen conversion does not read is not an assumption
            continue
        source = sc.sources.get(key)
        if source is None:
            source = "default of the tool" if key not in sc.set_keys else "set in the scenario file"
        rows.append((F.param_label(key), param.describe(), source))
    for key, how in fitted:
        rows.append((key, how, "Bayesian fit (see Diagnostics)"))
    blocks.append(Table(("parameter", "value or distribution", "source"), tuple(rows)))
    blocks.append(Heading(2, "Definitions"))
    cost_bases = []
    realised = sc.hardware.conversion == "realised"
    for c in sc.constraints:
        if c.kind == "spend" and c.basis == "capex":
            what = (
                "the capital cost of the cluster the run uses (chips, servers and networking, "
                "at what frontier runs paid per FLOP/s)"
                if realised
                else "the capital cost of buying every chip the run uses (times overhead for "
                "servers, networking and buildings)"
            )
        elif c.kind == "spend":
            what = "the amortised cost: chips depreciated over the run's duration plus energy"
        elif c.kind == "power":
            what = (
                "the power the run draws all-in (chips, servers, networking and cooling, at "
                "what frontier runs drew per FLOP/s)"
                if realised
                else "the power the run draws (chips at their efficiency, times PUE)"
            )
            if c.sites is not None or c.split_efficiency is not None:
                what += (
                    f", against the limit times the sites one run may span "
                    f"({c.factor('sites').describe()}) and the share of its compute per watt "
                    f"it keeps when split ({c.factor('split_efficiency').describe()})"
                )
        elif c.kind == "chips":
            what = (
                "the accelerators the run needs, its compute divided by its duration and by "
                "the FLOP/s one H100-equivalent delivers in training "
                f"({c.factor('flops_per_h100e').describe()}), in H100-equivalents"
            )
        elif c.kind == "cluster":
            what = (
                "the share of the largest cluster the run needs: its compute divided by its "
                "duration and by the FLOP/s one H100-equivalent delivers in training "
                f"({c.factor('flops_per_h100e').describe()}), against the largest cluster "
                "times the share one run uses"
                + (
                    f", over {c.factor('sites').describe()} sites keeping "
                    f"{c.factor('split_efficiency').describe()} of their compute"
                    if c.sites is not None or c.split_efficiency is not None
                    else ""
                )
                + (
                    "; the cluster's size, growth or share left out of the file are fitted "
                    "to Epoch AI's GPU Clusters data (data/clusters.csv, data/run_clusters.csv)"
                    if c.left_to_data(sc.set_keys)
                    else ""
                )
            )
        elif c.kind == "data":
            what = (
                "the largest compute-optimal run the data allow, 6 T² / k FLOP (C = 6 N T "
                "with T = k N: Chinchilla's rule), where T is the token stock times the "
                f"epochs ({c.factor('epochs').describe()}), the multiplier for other "
                f"modalities ({c.factor('modality_multiplier').describe()}) and for synthetic "
                f"data ({c.factor('synthetic_multiplier').describe()}), and k the tokens per "
                f"parameter ({c.factor('tokens_per_parameter').describe()}); the ceiling "
                "grows with the square of the stock"
            )
        elif c.limit_days is not None:
            what = (
                "the run's compute per unit of training time: a limit of the given FLOP "
                f"for a run of {c.factor('limit_days').describe()} days, so a run that lasts "
                "longer may do proportionally more, and a run held back by it trains as long "
                "as a run may last (the latency wall: a minimum time per training step caps "
                "the steps a run of a given duration can take)"
            )
        else:
            what = "the run's compute itself (a ceiling in FLOP, such as the latency wall)"
        cost_bases.append(
            (
                Strong(c.name),
                f": compared with {what}; the limit grows {_share(c.growth_per_year)} a year from "
                f"{c.reference_year:g}, and one run may take {_share(c.share)} of it.",
            )
        )
    if "log10_flop_typical" in results.projection:
        rate = results.projection.attrs.get("runs_per_year")
        arrivals = f" ({rate:.1f} a year, the rate of the last five years)" if rate else ""
        largest_items = (
            (
                Strong("Largest run"),
                ": the running record, the largest run published by the end of each year. "
                "It is modelled from the fitted trend: frontier runs arrive at the rate seen "
                f"in the data{arrivals}, each scattered about the trend with the fitted "
                "scatter, and the record is the largest so far; it never falls below the "
                "largest run already published. The ceilings are met by the record.",
            ),
            (
                Strong("Typical frontier run"),
                ": the fitted trend (median of log compute) of "
                f"{sc.data.selection().describe()}; single runs scatter around it.",
            ),
        )
    else:
        largest_items = (
            (
                Strong("Largest run"),
                ": the trend the scenario gives (its level is not fitted to the runs); "
                "individual runs scatter around it.",
            ),
        )
    if sc.hardware.conversion == "realised":
        hardware_items = (
            (
                Strong("Hardware (realised conversion)"),
                ": trends fitted to what frontier runs since 2016 actually achieved, from "
                "Epoch AI's estimates of their hardware, power and cost: FLOP/s per dollar of "
                "the cluster's acquisition cost, FLOP/s per watt drawn all-in (chips, servers, "
                "networking, cooling), FLOP per dollar of amortised cost, and the training "
                f"duration, which grows with the run's size and the date (capped at "
                f"{_share_days(sc.hardware.max_training_days)}). "
                "Utilisation, the numerical format and overheads are inside these figures; "
                "energy efficiency still bends towards the physical limit.",
            ),
            *cost_bases,
            (
                Strong("Power"),
                ": all-in, as the runs drew it: capital cost and power are compute divided by "
                "the duration and the realised throughput per dollar or per watt.",
            ),
        )
    else:
        hardware_items = (
            (
                Strong("Hardware"),
                f": peak FLOP/s per dollar and per watt at precision '{sc.hardware.precision}' "
                "(ml = the best dense precision a chip offers for training), realised at the "
                "run's utilisation; energy efficiency bends towards the physical limit "
                "(1/E = 1/E_trend + 1/E_max).",
            ),
            *cost_bases,
            (
                Strong("Power"),
                ": accelerator power (peak FLOP/s per watt of chip TDP) times PUE. Host CPUs, "
                "memory and networking are not counted (an 8-GPU NVIDIA DGX H100 server is "
                "rated 10.2 kW against 5.6 kW of GPU TDP), so the power figures are lower "
                "bounds and a power ceiling binds, if anything, earlier than shown.",
            ),
        )
    year_is = results.projection.attrs.get("year_is")
    year_items = (
        (
            (
                Strong("Years"),
                ': a year in a table or figure ("2030") means the end of that year, 31 '
                "December: the largest run published by then, its cost and power then. A "
                "date (a hit year, the year a threshold is reached) is shown as the calendar "
                "year it falls in.",
            ),
        )
        if year_is == "end of year"
        else ()
    )
    blocks.append(
        Bullets(
            (
                *year_items,
                *largest_items,
                *hardware_items,
            )
        )
    )
    return blocks


def diagnostics_section(results: Results) -> list[Block]:
    """Convergence, posterior predictive check and model comparison (computed when fitting)."""
    blocks: list[Block] = [Heading(1, "Diagnostics")]
    fit = results.fit
    rows = []
    for label in fit["fit"].to_numpy():
        d = fit.sel(fit=label)
        if not bool(d["diag_fitted"]):
            rows.append((str(label), "not fitted (given in the scenario)", "", "", ""))
            continue
        problems = str(d["diag_problems"].item())
        rows.append(
            (
                str(label),
                f"{float(d['diag_r_hat_max']):.3f}",
                f"{float(d['diag_ess_bulk_min']):.0f}",
                str(int(d["diag_divergences"])),
                problems or "ok",
            )
        )
    blocks.append(
        Table(("fit", "max R-hat", "min bulk ESS", "divergences", "verdict"), tuple(rows))
    )
    blocks.append(
        Para.of(
            "Targets: R-hat at most 1.01, bulk effective sample size at least 400 for every "
            "reported quantity, no divergent transitions."
        )
    )
    if not results.trend_fitted:
        return blocks
    attrs = fit.attrs
    cover = zip(fit["level"].to_numpy(), fit["coverage"].to_numpy(), strict=True)
    blocks.append(Heading(2, "Posterior predictive check"))
    blocks.append(
        Para.of(
            "Share of the fitted runs inside the central posterior predictive intervals "
            "(a calibrated model puts about the nominal share inside): "
            + ", ".join(f"{round(k * 100)}% interval: {F.percent(v)}" for k, v in cover)
            + "."
        )
    )
    if attrs["chosen_by_loo"]:
        blocks.append(Heading(2, "Number of eras (leave-one-out comparison)"))
        rows = tuple(
            (
                str(name),
                f"{float(fit['cmp_elpd_loo'][i]):.1f}",
                f"{float(fit['cmp_se'][i]):.1f}",
                f"{float(fit['cmp_elpd_diff'][i]):.1f}",
                f"{float(fit['cmp_dse'][i]):.1f}",
                f"{float(fit['cmp_weight'][i]):.2f}",
                f"{float(fit['cmp_r_hat_max'][i]):.3f}",
                str(int(fit["cmp_divergences"][i])),
            )
            for i, name in enumerate(fit["candidate"].to_numpy())
        )
        blocks.append(
            Table(
                (
                    "model",
                    "elpd (LOO)",
                    "SE",
                    "difference",
                    "SE of difference",
                    "weight",
                    "max R-hat",
                    "divergences",
                ),
                rows,
            )
        )
        screening = "screening_chains" in attrs
        blocks.append(
            Para.of(
                f"Chosen: {attrs['eras']} era(s), the simplest model within two standard errors "
                "of the best, so that extra eras must earn their place. A candidate the data do "
                "not support often samples poorly (its extra breakpoint has nowhere to be); "
                "its convergence is shown so that its LOO value is read as approximate."
                + (
                    f" The candidates are compared on lighter fits ({attrs['screening_chains']} "
                    f"chains x {attrs['screening_draws']} draws after "
                    f"{attrs['screening_tune']} tuning steps); the chosen number of eras is "
                    "then fitted in full, and that fit alone is reported everywhere else and "
                    "checked for convergence."
                    if screening
                    else ""
                )
            )
        )
    blocks.append(Heading(2, "Priors"))
    priors = zip(fit["prior"].to_numpy(), fit["prior_text"].to_numpy(), strict=True)
    blocks.append(Table(("quantity", "prior"), tuple((str(a), str(b)) for a, b in priors)))
    return blocks


def appendix(results: Results) -> list[Block]:
    """The runs the trend used, with their sources."""
    blocks: list[Block] = [Heading(1, "Appendix: the data used")]
    rows = []
    for r in results.runs_used.itertuples():
        rows.append(
            (
                str(r.name),
                str(getattr(r, "organization", "")),
                str(r.date),
                f"{r.compute_flop:.3g}",
                f"{flop_to_pfs_days(r.compute_flop):.3g}",
                str(getattr(r, "method", "chart")),
                Link(str(r.source_title), str(r.source_url)),
            )
        )
    blocks.append(
        Table(
            ("run", "organisation", "published", "FLOP", "pfs-days", "method", "source"),
            tuple(rows),
            ("l", "l", "l", "r", "r", "l", "l"),
        )
    )
    return blocks


#: Compute thresholds a policy reader knows, with the rule that uses each and its source.
POLICY_THRESHOLDS: dict[str, str] = {
    "1e25": "EU AI Act (Regulation (EU) 2024/1689), Art. 51(2): a general-purpose AI model "
    "trained with more than 10^25 FLOP is presumed to have high-impact capabilities "
    "(systemic risk)",
    "1e26": "US Executive Order 14110 (30 Oct 2023), Sec. 4.2(b): reporting duties for "
    "models trained with more than 10^26 operations (revoked 20 Jan 2025); California SB 53 "
    "(Transparency in Frontier Artificial Intelligence Act, 2025): a frontier model is one "
    "trained with more than 10^26 operations",
}

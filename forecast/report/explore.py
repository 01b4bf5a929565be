"""``explore.html``: one self-contained page in which a reader moves the assumptions.

Everything is inlined: the page's script (``explore.js``, the engine's formulas in
JavaScript), Vega (``vendor/vega.min.js``, see ``vendor/README.md``), the styles and the
projection's per-draw inputs (:func:`forecast.analysis.explore.page_model`; an array is
one number where every draw has the same value, else base64 float64). Nothing is
fetched: the file holds no ``http`` at all (the library's few such strings are
rewritten, :func:`_inline_js`), and scenario text is escaped (names go into the page as
JSON and are shown with ``textContent``).
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from pathlib import Path

import numpy as np
import xarray as xr

__all__ = ["explore_html", "page_data"]

_HERE = Path(__file__).resolve().parent
_PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#ff7f0e",
    "#7f7f7f",
]


def _encode(x):
    """The page's form of a model value: an array as one number (every draw alike and
    finite), else ``{"f4": ...}`` where single precision holds it exactly (the saved
    inputs) or ``{"f8": ...}`` (base64, little-endian); containers recursively."""
    if isinstance(x, np.ndarray):
        a = np.asarray(x, dtype="<f8")
        if a.size and np.all(a == a.flat[0]) and np.isfinite(a.flat[0]):
            return float(a.flat[0])
        single = a.astype("<f4")
        if np.array_equal(single.astype("<f8"), a):
            return {"f4": base64.b64encode(np.ascontiguousarray(single).tobytes()).decode("ascii")}
        return {"f8": base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")}
    if isinstance(x, dict):
        return {k: _encode(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_encode(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return -1e300 if x < 0 else 1e300
    return x


#: Labels of the global controls by conversion (datasheet, realised).
_DURATION_LABEL = {False: "Training duration", True: "Longest a training run may last, median"}
_EFFICIENCY_LABEL = {
    False: "Energy efficiency doubling time, median",
    True: "Realised energy efficiency (FLOP/s per watt) doubling time, median",
}
_PRICE_LABEL = {
    False: "Price-performance doubling time, median",
    True: "Realised price-performance (FLOP/s per dollar) doubling time, median",
}


def _controls(model: dict) -> list[dict]:
    """The page's controls: id, label, unit, starting value, range, the setting it sets
    (``path``), a log scale for the slider, and the box it goes in."""
    m = model["medians"]
    realised = model["realised"] is not None
    first = math.floor(model["start"])

    def ctl(cid, label, unit, value, lo, hi, path, log=False, scale=1.0, step=None, box="main"):
        return {
            "id": cid,
            "label": label,
            "unit": unit,
            "value": value,
            "min": lo,
            "max": hi,
            "path": path,
            "log": log,
            "scale": scale,
            "step": step,
            "box": box,
        }

    def around(name, label, unit):  # from a quarter (a third) to three times the median
        v = m[name]
        down, digits = (4, 1) if name == "duration" else (3, 2)
        return ctl(name, label, unit, v, round(v / down, digits), round(v * 3, digits), [name])

    out = [
        ctl(
            "doubling",
            "Doubling time of the largest run, median",
            "months",
            m["doubling"],
            round(max(1.0, m["doubling"] / 3), 2),
            round(m["doubling"] * 3, 2),
            ["doubling"],
        ),
        ctl(
            "bend-year",
            "From the end of year",
            "year",
            first + 4,
            first + 1,
            model["horizon"],
            ["bendYear"],
            step=1,
            box="bend",
        ),
        ctl(
            "bend-months",
            "the doubling time becomes",
            "months",
            m["doubling"],
            2.0,
            60.0,
            ["bendMonths"],
            box="bend",
        ),
        *(
            around(name, label[realised], unit)
            for name, label, unit in (
                ("duration", _DURATION_LABEL, "days"),
                ("efficiency", _EFFICIENCY_LABEL, "years"),
                ("price", _PRICE_LABEL, "years"),
            )
        ),
        ctl(
            "horizon",
            "Horizon, to the end of",
            "year",
            model["horizon"],
            first + 1,
            max(model["horizon"], 2060.0),
            ["horizon"],
            step=1,
        ),
    ]
    for k, med in enumerate(m["limits"]):
        share, growth = med["share"], 100 * med["growth"]
        box = f"limit-{k}"
        out += [
            ctl(
                f"level-{k}",
                "Level, times the scenario's",
                "x",
                1.0,
                0.01,
                100.0,
                ["limits", k, "level"],
                log=True,
                box=box,
            ),
            ctl(
                f"share-{k}",
                "Share one run takes, median",
                "fraction",
                share,
                round(share / 10, 6),
                max(share, min(1.0, share * 10)),
                ["limits", k, "share"],
                log=True,
                box=box,
            ),
            ctl(
                f"growth-{k}",
                "Growth, median",
                "% a year",
                round(growth, 4),
                round(max(-50.0, min(0.0, growth - 20)), 2),
                round(growth + 50, 2),
                ["limits", k, "growth"],
                scale=0.01,
                box=box,
            ),
        ]
    return out


def _specs(names: list[str]) -> dict:
    series = [*names, "Largest run, unconstrained", "Largest run, held to the limits"]
    colors = [_PALETTE[i % len(_PALETTE)] for i in range(len(names))] + ["#000000", "#444444"]
    compute = {
        "width": 560,
        "height": 300,
        "padding": 5,
        "background": "white",
        "data": [{"name": "lines", "values": []}, {"name": "band", "values": []}],
        "scales": [
            {
                "name": "x",
                "type": "linear",
                "zero": False,
                "nice": False,
                "domain": {"fields": [{"data": "lines", "field": "year"}]},
                "range": "width",
            },
            {
                "name": "y",
                "type": "linear",
                "zero": False,
                "nice": True,
                "domain": {
                    "fields": [{"data": "lines", "field": "value"}, {"data": "band", "field": "lo"}]
                },
                "range": "height",
            },
            {"name": "color", "type": "ordinal", "domain": series, "range": colors},
        ],
        "axes": [
            {"orient": "bottom", "scale": "x", "title": "Year (end of)", "format": "d"},
            {"orient": "left", "scale": "y", "title": "log10 FLOP (median over draws)"},
        ],
        "legends": [{"fill": "color", "orient": "right", "title": "Series", "labelLimit": 220}],
        "marks": [
            {
                "type": "area",
                "from": {"data": "band"},
                "encode": {
                    "update": {
                        "x": {"scale": "x", "field": "year"},
                        "y": {"scale": "y", "field": "lo"},
                        "y2": {"scale": "y", "field": "hi"},
                        "fill": {"value": "#999999"},
                        "fillOpacity": {"value": 0.25},
                    }
                },
            },
            {
                "type": "group",
                "from": {"facet": {"name": "one", "data": "lines", "groupby": "series"}},
                "marks": [
                    {
                        "type": "line",
                        "from": {"data": "one"},
                        "encode": {
                            "update": {
                                "x": {"scale": "x", "field": "year"},
                                "y": {"scale": "y", "field": "value"},
                                "stroke": {"scale": "color", "field": "series"},
                                "strokeWidth": {"value": 2},
                            }
                        },
                    }
                ],
            },
        ],
    }
    bars = {
        "width": 360,
        "height": 24 * (len(names) + 1),
        "padding": 5,
        "background": "white",
        "data": [{"name": "bars", "values": []}],
        "scales": [
            {
                "name": "y",
                "type": "band",
                "domain": [*names, "None by the horizon"],
                "range": "height",
                "padding": 0.15,
            },
            {"name": "x", "type": "linear", "domain": [0, 1], "range": "width"},
        ],
        "axes": [
            {"orient": "left", "scale": "y", "labelLimit": 220},
            {
                "orient": "bottom",
                "scale": "x",
                "format": "%",
                "title": "Probability it binds first",
            },
        ],
        "marks": [
            {
                "type": "rect",
                "from": {"data": "bars"},
                "encode": {
                    "update": {
                        "y": {"scale": "y", "field": "name"},
                        "height": {"scale": "y", "band": 1},
                        "x": {"scale": "x", "value": 0},
                        "x2": {"scale": "x", "field": "p"},
                        "fill": {"value": "#1f77b4"},
                    }
                },
            }
        ],
    }
    return {"compute": compute, "bars": bars}


def page_data(ex: xr.Dataset) -> dict:
    """The page's data: the model (:func:`forecast.analysis.explore.page_model`, encoded),
    its controls and the chart specs."""
    from forecast.analysis.explore import page_model

    model = page_model(ex)
    return {
        "model": _encode(model),
        "controls": _controls(model),
        "specs": _specs([lim["name"] for lim in model["limits"]]),
    }


def _no_http(text: str) -> str:
    """JSON text with every ``http`` written as a JSON escape (same string once parsed)."""
    # The escape keeps the letter's case: base64 data holds "HTTP" as often as "http".
    return re.sub("(?i)http", lambda m: f"\\u{ord(m.group(0)[0]):04x}" + m.group(0)[1:], text)


def _json_for_script(obj) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    text = json.dumps(obj, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _no_http(text)


def _inline_js(code: str) -> str:
    """A script safe to inline, holding no ``http``: in string literals the ``h`` becomes
    ``\\x68`` (the same string); elsewhere (Vega's loader property ``http``) the name is
    renamed consistently within the file. ``</script`` cannot end the element early."""
    code = re.sub(
        r"""(["'`])((?i:h))((?i:ttp))""",
        lambda m: m.group(1) + f"\\x{ord(m.group(2)):02x}" + m.group(3),
        code,
    )
    code = re.sub(r"(?i)http", lambda m: m.group(0)[0] + "_" + m.group(0)[1:], code)
    return code.replace("</script", "<\\/script")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;
max-width:1100px;padding:0 1rem;color:#111;line-height:1.4}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}
.layout{display:grid;grid-template-columns:minmax(300px,380px) 1fr;gap:1.5rem}
.control{display:grid;grid-template-columns:1fr 6.5rem;gap:.2rem .5rem;
margin:.4rem 0;align-items:center}
.control label{grid-column:1/3;font-size:.9rem}
.control input[type=range]{grid-column:1/2;width:100%}
.control input[type=number]{grid-column:2/3;grid-row:2;width:6rem}
.problem{grid-column:1/3;color:#a00;font-size:.85rem}
fieldset{border:1px solid #ccc;margin:.6rem 0;padding:.3rem .6rem}
legend{font-weight:600;font-size:.95rem}caption{text-align:left;font-size:.85rem;color:#444}
input:focus,button:focus{outline:3px solid #f90;outline-offset:1px}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .6rem;
border-bottom:1px solid #ddd;text-align:left}td.num{text-align:right;
font-variant-numeric:tabular-nums}
#headline{font-weight:600}.note{font-size:.85rem;color:#444}
button{font-size:1rem;padding:.3rem .9rem}
"""


def _table(tid: str, caption: str, heads: list[str]) -> str:
    cols = "".join(f'<th scope="col">{h}</th>' for h in heads)
    return (
        f'<table id="{tid}"><caption>{caption}</caption><thead><tr>{cols}</tr></thead>'
        f'<tbody id="{tid}-body"></tbody></table>'
    )


def explore_html(ex: xr.Dataset, scenario: str) -> str:
    """The page for one scenario's saved inputs (``explore.html``).

    Parameters
    ----------
    ex : xarray.Dataset
        :func:`forecast.analysis.explore.explore_dataset` (group ``explore`` of
        ``projection.nc``).
    scenario : str
        The scenario's name, shown as text.
    """
    data = page_data(ex)
    model = data["model"]
    vega = (_HERE / "vendor" / "vega.min.js").read_text(encoding="utf-8")
    page = (_HERE / "explore.js").read_text(encoding="utf-8")
    title = f"Explore: {scenario}"

    def esc(s: str) -> str:
        return re.sub(
            "(?i)http", lambda m: f"&#{ord(m.group(0)[0])};" + m.group(0)[1:], html.escape(s)
        )

    limits = "".join(
        f"<fieldset><legend>{esc(lim['name'])} ({esc(lim['kind'])})</legend>"
        f'<div class="controls" id="controls-limit-{k}"></div></fieldset>'
        for k, lim in enumerate(model["limits"])
    )
    n, total = model["draws"], model["draws_total"]
    carried = (
        f"The page carries all of the run's {total:,} draws"
        if n == total
        else f"The page carries {n:,} of the run's {total:,} draws (evenly spaced)"
    )
    note = (
        f"{carried}, their inputs rounded to single precision (seven significant digits),"
        " so at the scenario's settings its numbers are the briefing's"
        + ("" if n == total else ", up to the draws left out")
        + ". It computes with the engine's own formulas on each draw:"
        " the run's demand on each ceiling, the compute each allows, the hit years (exact"
        " where the gap is log-linear, else solved as the engine solves them) and the run"
        " held to the ceilings. A test runs the page and the engine on the same inputs and"
        " requires the same hit years to 0.01 years. Each control moves every draw alike:"
        " a doubling time, level, share or duration set to v scales each draw's value by v"
        " over the median shown at the start; a growth adds the change to each draw's."
        " A year label is the end of that year. What it leaves out is what the briefing's"
        " projection leaves out, and more: the fits are not redone, so a control changes"
        " the projection's inputs, not what the data say about them."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        '<p class="note">Move an assumption: the hit years, the first limit to bind, the'
        " largest run's path and the threshold dates follow. Works offline; nothing is"
        " sent anywhere. The briefing (briefing.html, beside this file) explains the"
        " model.</p>"
        '<div class="layout"><section aria-labelledby="h-controls">'
        '<h2 id="h-controls">Assumptions</h2>'
        '<button type="button" id="reset">Reset to the scenario</button>'
        '<div class="controls" id="controls-main"></div>'
        "<fieldset><legend>A new doubling time from a chosen year</legend>"
        '<input type="checkbox" id="bend-on"> <label for="bend-on">Change the doubling'
        " time from the year below</label>"
        '<div class="controls" id="controls-bend"></div></fieldset>'
        f"<h2>The limits</h2>{limits}</section>"
        '<section aria-labelledby="h-results"><h2 id="h-results">When each limit is met'
        '</h2><p id="headline" aria-live="polite"></p>'
        + _table(
            "hits",
            "Hit year per limit (when the largest run's trend meets it), in decimal years"
            " (2032.8 falls in October 2032; the briefing gives the calendar year, 2032):"
            " median and 80% interval over draws, how often it binds first, how often it is"
            " met by the horizon.",
            ["Limit", "Median", "80% interval", "Binds first", "Met by the horizon"],
        )
        + "<h2>The largest run and what each limit allows</h2>"
        '<div id="chart-compute" role="img" aria-label="Log compute of the largest run'
        ' and the compute each limit allows, by year (the tables hold the numbers)"></div>'
        "<h2>Which limit binds first</h2>"
        '<div id="chart-bars" role="img" aria-label="Probability each limit binds first'
        ' (the first table holds the numbers)"></div>'
        "<h2>The largest run held to the limits</h2>"
        + _table(
            "held",
            "Median (80% interval) over draws at the end of each year: the run's compute"
            " held to the limits, the record's trend unconstrained, and the held run's"
            " cluster capital cost, amortised training cost and power.",
            ["Year", "Compute held, FLOP", "Trend, FLOP", "Cluster cost", "Training cost", "Power"],
        )
        + "<h2>When the largest run passes each threshold</h2>"
        + _table(
            "thresholds",
            "Median (80% interval) over draws. The trend's date can fall before the"
            " projection starts (the trend passed it, whether or not a published run did);"
            " the held run's cannot.",
            [
                "Threshold, FLOP",
                "Trend, unconstrained",
                "Held to the limits",
                "Held run passes it by the horizon",
            ],
        )
        + f'<p class="note">{esc(note)}</p></section></div>'
        f'<script type="application/json" id="explore-data">{_json_for_script(data)}'
        "</script>"
        f"<script>{_inline_js(vega)}</script>"
        f"<script>{_inline_js(page)}</script>"
        "</body></html>\n"
    )

"""``explore.html``: one self-contained page in which a reader moves the assumptions.

Everything is inlined: the page's script (``explore.js``), Vega (``vendor/vega.min.js``,
see ``vendor/README.md``), the styles and the per-draw coefficients of
:func:`forecast.analysis.explore.explore_dataset` (base64 float32; the chart's allowed
compute as uint16 steps of 1/500 log10 FLOP). Nothing is fetched: the file holds no
``http`` at all (the library's few such strings are rewritten, :func:`_inline_js`), and
scenario text is escaped (names go into the page as JSON and are shown with
``textContent``).
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import numpy as np
import xarray as xr

__all__ = ["CURVE_OFFSET", "CURVE_SCALE", "explore_html", "page_data"]

_HERE = Path(__file__).resolve().parent
#: The chart's allowed compute: log10 FLOP = CURVE_OFFSET + stored / CURVE_SCALE.
CURVE_SCALE = 500.0
CURVE_OFFSET = 0.0
#: Per (limit, draw) coefficients the page reads (float32).
_PAIR_ARRAYS = (
    "value",
    "slope",
    "growth",
    "d_level",
    "d_growth_value",
    "d_growth_slope",
    "d_duration",
    "d_efficiency_value",
    "d_efficiency_slope",
    "d_price_value",
    "d_price_slope",
)
_DRAW_ARRAYS = ("trend_level", "trend_slope", "efficiency_slope", "price_slope")
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


def _b64(a: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes()).decode("ascii")


def _controls(ex: xr.Dataset) -> list[dict]:
    m = ex.attrs["medians"]
    realised = ex.attrs["conversion"] == "realised"

    def ctl(cid, label, unit, value, lo, hi, path, log=False, scale=1.0):
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
        }

    out = [
        ctl(
            "doubling",
            "Doubling time of the largest run",
            "months",
            m["doubling"],
            max(1.0, m["doubling"] / 3),
            m["doubling"] * 3,
            ["doubling"],
        ),
        ctl(
            "duration",
            "Longest training run" if realised else "Training duration",
            "days",
            m["duration"],
            m["duration"] / 4,
            m["duration"] * 3,
            ["duration"],
        ),
        ctl(
            "efficiency",
            "Realised efficiency doubling time" if realised else "Efficiency doubling time",
            "years",
            m["efficiency"],
            m["efficiency"] / 3,
            m["efficiency"] * 3,
            ["efficiency"],
        ),
        ctl(
            "price",
            "Realised price-performance doubling time"
            if realised
            else "Price-performance doubling time",
            "years",
            m["price"],
            m["price"] / 3,
            m["price"] * 3,
            ["price"],
        ),
        ctl(
            "horizon",
            "Horizon",
            "year",
            ex.attrs["horizon"],
            float(np.floor(ex.attrs["start_year"])) + 1,
            ex.attrs["horizon"],
            ["horizon"],
        ),
    ]
    names = [str(n) for n in ex["constraint"].to_numpy()]
    for k, name in enumerate(names):
        lim = m["limits"][k]
        out += [
            ctl(
                f"level-{k}",
                f"{name}: level, times the scenario's",
                "x",
                1.0,
                0.01,
                100.0,
                ["limits", k, "level"],
                log=True,
            ),
            ctl(
                f"share-{k}",
                f"{name}: share one run takes",
                "fraction",
                lim["share"],
                lim["share"] / 10,
                lim["share"] * 10,
                ["limits", k, "share"],
                log=True,
            ),
            ctl(
                f"growth-{k}",
                f"{name}: growth",
                "% a year",
                100 * lim["growth"],
                min(0.0, 100 * lim["growth"] - 20),
                100 * lim["growth"] + 50,
                ["limits", k, "growth"],
                scale=0.01,
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
    """The page's data: settings, coefficients (base64), controls and chart specs."""
    names = [str(n) for n in ex["constraint"].to_numpy()]
    curve = np.clip(
        np.nan_to_num((ex["allowed"].to_numpy() - CURVE_OFFSET) * CURVE_SCALE, nan=0.0),
        0,
        65535,
    )
    arrays = {k: _b64(ex[k].to_numpy(), "<f4") for k in (*_PAIR_ARRAYS, *_DRAW_ARRAYS)}
    # Hit years relative to the start keep float32's precision.
    arrays["at"] = _b64(ex["at"].to_numpy() - ex.attrs["start_year"], "<f4")
    return {
        "draws": int(ex.sizes["draw"]),
        "draws_total": int(ex.attrs["draws_total"]),
        "start_year": float(ex.attrs["start_year"]),
        "horizon": float(ex.attrs["horizon"]),
        "trend_ref_year": float(ex.attrs["trend_ref_year"]),
        "floor_log10": float(ex.attrs["floor_log10"])
        if np.isfinite(ex.attrs["floor_log10"])
        else -1e9,
        "conversion": str(ex.attrs["conversion"]),
        "medians": ex.attrs["medians"],
        "years": [int(y) for y in ex["year"].to_numpy()],
        "times": [float(t) for t in ex["time"].to_numpy()],
        "limits": [
            {"name": n, "kind": str(kd), "exact": bool(e)}
            for n, kd, e in zip(names, ex["kind"].to_numpy(), ex["exact"].to_numpy(), strict=True)
        ],
        "arrays": arrays,
        "curve": _b64(np.rint(curve), "<u2"),
        "curve_scale": CURVE_SCALE,
        "curve_offset": CURVE_OFFSET,
        "controls": _controls(ex),
        "specs": _specs(names),
    }


def _no_http(text: str) -> str:
    """JSON text with every ``http`` written as a JSON escape (same string once parsed)."""
    return re.sub("(?i)h(ttp)", lambda m: "\\u0068" + m.group(1), text)


def _json_for_script(obj) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    text = json.dumps(obj, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _no_http(text)


def _inline_js(code: str) -> str:
    """A script safe to inline, holding no ``http``: in string literals the ``h`` becomes
    ``\\x68`` (the same string); elsewhere (Vega's loader property ``http``) the name is
    renamed consistently within the file. ``</script`` cannot end the element early."""
    code = re.sub(r"""(["'`])(?i:h)(ttp)""", lambda m: m.group(1) + "\\x68" + m.group(2), code)
    code = re.sub(r"(?i)http", lambda m: m.group(0)[0] + "_" + m.group(0)[1:], code)
    return code.replace("</script", "<\\/script")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;
max-width:1100px;padding:0 1rem;color:#111;line-height:1.4}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}
.layout{display:grid;grid-template-columns:minmax(300px,380px) 1fr;gap:1.5rem}
#controls .control{display:grid;grid-template-columns:1fr 6.5rem;gap:.2rem .5rem;
margin:.4rem 0;align-items:center}
#controls label{grid-column:1/3;font-size:.9rem}
#controls input[type=range]{grid-column:1/2;width:100%}
#controls input[type=number]{grid-column:2/3;grid-row:2;width:6rem}
input:focus,button:focus{outline:3px solid #f90;outline-offset:1px}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .6rem;
border-bottom:1px solid #ddd;text-align:left}td.num{text-align:right;
font-variant-numeric:tabular-nums}
#headline{font-weight:600}.note{font-size:.85rem;color:#444}
button{font-size:1rem;padding:.3rem .9rem}
"""


def explore_html(ex: xr.Dataset, scenario: str) -> str:
    """The page for one scenario's coefficients (``explore.html``)."""
    data = page_data(ex)
    vega = (_HERE / "vendor" / "vega.min.js").read_text(encoding="utf-8")
    page = (_HERE / "explore.js").read_text(encoding="utf-8")
    exact = [lim["name"] for lim in data["limits"] if lim["exact"]]
    approx = [lim["name"] for lim in data["limits"] if not lim["exact"]]
    note = (
        f"{data['draws']:,} of the run's {data['draws_total']:,} draws. Each control moves "
        "every draw alike: a doubling time, level, share or duration set to v scales each "
        "draw's value by v over the median shown at the start; a growth adds the change. "
        "Hit years are the engine's closed form on each draw; "
        + (
            "exact for every limit here."
            if not approx
            else "exact for "
            + (", ".join(exact) or "none")
            + "; for "
            + ", ".join(approx)
            + " (where the engine solves numerically) the line is the tangent at the saved"
            " hit year: exact at the scenario's settings, approximate away from them."
        )
        + " The chart shows medians over draws; the grey band is the 80% interval of the"
        " run held to the limits."
    )
    title = f"Explore: {scenario}"

    def esc(s: str) -> str:
        return re.sub("(?i)h(ttp)", lambda m: "&#104;" + m.group(1), html.escape(s))

    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        '<p class="note">Move an assumption: the hit years, the first limit to bind and the'
        " charts follow. Works offline; nothing is sent anywhere.</p>"
        '<div class="layout"><section aria-labelledby="h-controls">'
        '<h2 id="h-controls">Assumptions</h2>'
        '<button type="button" id="reset">Reset to the scenario</button>'
        '<div id="controls"></div></section>'
        '<section aria-labelledby="h-results"><h2 id="h-results">When each limit is met'
        '</h2><p id="headline" aria-live="polite"></p>'
        '<table id="hits"><caption class="note">Hit year per limit: median and 80%'
        " interval over draws, and how often it binds first and is met at all.</caption>"
        '<thead><tr><th scope="col">Limit</th><th scope="col">Median</th>'
        '<th scope="col">80% interval</th><th scope="col">Binds first</th>'
        '<th scope="col">Met by the horizon</th></tr></thead><tbody id="hits-body">'
        "</tbody></table>"
        "<h2>Largest run and what each limit allows</h2>"
        '<div id="chart-compute" role="img" aria-label="Log compute of the largest run'
        ' and the compute each limit allows, by year (the table holds the numbers)"></div>'
        "<h2>Which limit binds first</h2>"
        '<div id="chart-bars" role="img" aria-label="Probability each limit binds first'
        ' (the table holds the numbers)"></div>'
        f'<p class="note">{esc(note)}</p></section></div>'
        f'<script type="application/json" id="explore-data">{_json_for_script(data)}'
        "</script>"
        f"<script>{_inline_js(vega)}</script>"
        f"<script>{_inline_js(page)}</script>"
        "</body></html>\n"
    )

// explore.html: move the assumptions, see the hit years move (forecast/report/explore.py).
// The hit year of each limit per draw is the engine's closed form (forecast/project/hits.py
// closed_form_hit): the gap between the run's log compute and the log compute the limit
// allows is a line in time; its root, clipped to [start, end of the horizon year], is the
// hit year. The lines come per draw from the engine (forecast/analysis/explore.py).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("explore-data").textContent);
  var LOG10_2 = Math.log10(2);

  function bytes(b64) {
    var bin = atob(b64), u = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return u.buffer;
  }
  function f32(b64) { return new Float32Array(bytes(b64)); }
  var A = {};
  Object.keys(D.arrays).forEach(function (k) { A[k] = f32(D.arrays[k]); });
  // The allowed compute per limit, draw and year: log10 FLOP in steps of 1/D.curve_scale.
  var CURVE = new Uint16Array(bytes(D.curve));
  var N = D.draws, K = D.limits.length, Y = D.years.length;

  // -- the model: per-draw hit years for one setting ------------------------------------
  function defaults() {
    var s = { doubling: D.medians.doubling, duration: D.medians.duration,
              efficiency: D.medians.efficiency, price: D.medians.price,
              horizon: D.horizon, limits: {} };
    for (var k = 0; k < K; k++) {
      var m = D.medians.limits[k];
      s.limits[k] = { level: 1, share: m.share, growth: m.growth };
    }
    return s;
  }

  // Per draw and limit: the allowed compute's line under the setting, value at `at` and
  // slope; the trend's slope. Shared by the hit years and the chart.
  function lines(s) {
    var n = N, M = D.medians;
    var slope = new Float64Array(n), dv = new Float64Array(K * n), db = new Float64Array(K * n);
    var rD = M.doubling / s.doubling;
    var lDur = Math.log10(s.duration / M.duration);
    var rE = M.efficiency / s.efficiency - 1, rP = M.price / s.price - 1;
    for (var i = 0; i < n; i++) slope[i] = A.trend_slope[i] * rD;
    for (var k = 0; k < K; k++) {
      var L = s.limits[k] || {}, m = M.limits[k];
      var lev = Math.log10((L.level === undefined ? 1 : L.level) *
                           (L.share === undefined ? 1 : L.share / m.share));
      var dg = (L.growth === undefined ? m.growth : L.growth) - m.growth;
      for (var i = 0; i < n; i++) {
        var j = k * n + i, g = A.growth[j];
        var xg = dg === 0 ? 0 : Math.log10(Math.max(1 + g + dg, 1e-9)) - Math.log10(1 + g);
        var xe = A.efficiency_slope[i] * rE, xp = A.price_slope[i] * rP;
        dv[j] = A.d_level[j] * lev + A.d_growth_value[j] * xg + A.d_duration[j] * lDur +
                A.d_efficiency_value[j] * xe + A.d_price_value[j] * xp;
        db[j] = A.d_growth_slope[j] * xg + A.d_efficiency_slope[j] * xe + A.d_price_slope[j] * xp;
      }
    }
    return { slope: slope, dv: dv, db: db };
  }

  // hits[k * N + i]: the hit year of limit k in draw i (Infinity: not by the horizon).
  function hitYears(s, ln) {
    ln = ln || lines(s);
    var start = D.start_year, end = s.horizon + 1, t0 = D.trend_ref_year;
    var out = new Float64Array(K * N);
    for (var k = 0; k < K; k++) {
      for (var i = 0; i < N; i++) {
        var j = k * N + i, at = D.start_year + A.at[j];
        var gap0 = A.trend_level[i] + ln.slope[i] * (at - t0) - (A.value[j] + ln.dv[j]);
        var b = ln.slope[i] - (A.slope[j] + ln.db[j]);  // the gap's growth a year
        var t;
        if (b > 0) {
          t = at - gap0 / b;
          t = t > end ? Infinity : Math.max(t, start);
        } else {
          // A gap that does not grow was closed only if it is closed at the start.
          t = gap0 + b * (start - at) >= 0 ? start : Infinity;
        }
        out[j] = t;
      }
    }
    return out;
  }

  function quantile(sorted, q) {  // numpy's default (linear); Infinity stays Infinity
    var n = sorted.length;
    if (!n) return NaN;
    var pos = q * (n - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
    var a = sorted[lo], b = sorted[hi];
    if (a === Infinity || b === Infinity) return (pos === lo ? a : Infinity);
    return a + (b - a) * (pos - lo);
  }

  function summarise(s) {
    var ln = lines(s), h = hitYears(s, ln);
    var first = new Int32Array(N).fill(-1), firstT = new Float64Array(N).fill(Infinity);
    for (var k = 0; k < K; k++) for (var i = 0; i < N; i++) {
      var t = h[k * N + i];
      if (t < firstT[i]) { firstT[i] = t; first[i] = k; }
    }
    var rows = [];
    for (var k = 0; k < K; k++) {
      var v = h.slice(k * N, (k + 1) * N).sort(), reached = 0, wins = 0;
      for (var i = 0; i < N; i++) { if (v[i] < Infinity) reached++; if (first[i] === k) wins++; }
      rows.push({ k: k, median: quantile(v, 0.5), p10: quantile(v, 0.1),
                  p90: quantile(v, 0.9), reached: reached / N, first: wins / N });
    }
    var none = 0;
    for (var i = 0; i < N; i++) if (first[i] < 0) none++;
    var ft = firstT.slice().sort();
    return { rows: rows, none: none / N, firstMedian: quantile(ft, 0.5), hits: h, ln: ln };
  }

  // The chart's series: per year, the median of the record, of the run held to the limits
  // (with its 80% interval) and of each limit's allowed compute.
  function paths(s, ln) {
    var t0 = D.trend_ref_year, out = [], band = [];
    var col = new Float64Array(N), held = new Float64Array(N), lim = new Float64Array(N);
    var run = new Float64Array(N);
    for (var y = 0; y < Y; y++) {
      if (D.years[y] > s.horizon) break;
      var t = D.times[y];
      for (var i = 0; i < N; i++) {
        run[i] = Math.max(A.trend_level[i] + ln.slope[i] * (t - t0), D.floor_log10);
        held[i] = run[i];
      }
      for (var k = 0; k < K; k++) {
        for (var i = 0; i < N; i++) {
          var j = k * N + i, at = D.start_year + A.at[j];
          var a = CURVE[(k * N + i) * Y + y] / D.curve_scale + D.curve_offset +
                  ln.dv[j] + ln.db[j] * (t - at);
          lim[i] = a;
          if (a < held[i]) held[i] = a;
        }
        lim.sort();
        out.push({ year: D.years[y], value: quantile(lim, 0.5), series: D.limits[k].name });
      }
      col.set(run); col.sort();
      out.push({ year: D.years[y], value: quantile(col, 0.5), series: "Largest run, unconstrained" });
      col.set(held); col.sort();
      out.push({ year: D.years[y], value: quantile(col, 0.5), series: "Largest run, held to the limits" });
      band.push({ year: D.years[y], lo: quantile(col, 0.1), hi: quantile(col, 0.9) });
    }
    return { lines: out, band: band };
  }

  // -- the page --------------------------------------------------------------------------
  function fmtYear(t) { return t === Infinity ? "after " + CURRENT.horizon : t.toFixed(1); }
  function pct(p) { return Math.round(100 * p) + "%"; }
  function text(el, s) { el.textContent = s; }

  var CURRENT = defaults();
  var views = {};

  function render(s) {
    var r = summarise(s);
    var body = document.getElementById("hits-body");
    while (body.firstChild) body.removeChild(body.firstChild);
    r.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      [D.limits[row.k].name, fmtYear(row.median),
       fmtYear(row.p10) + " to " + fmtYear(row.p90), pct(row.first), pct(row.reached)
      ].forEach(function (v, c) {
        var td = document.createElement(c ? "td" : "th");
        if (!c) td.setAttribute("scope", "row");
        td.textContent = v;
        if (c) td.className = "num";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var best = r.rows.slice().sort(function (a, b) { return b.first - a.first; })[0];
    var head = document.getElementById("headline");
    if (!best || best.first === 0) {
      text(head, "No limit binds by " + s.horizon + " in any draw.");
    } else {
      text(head, "Binds first: " + D.limits[best.k].name + ", in " + pct(best.first) +
           " of draws; the first limit is met in " + fmtYear(r.firstMedian) +
           " (median over draws). No limit by " + s.horizon + ": " + pct(r.none) + ".");
    }
    var bars = r.rows.map(function (row) { return { name: D.limits[row.k].name, p: row.first }; });
    bars.push({ name: "None by the horizon", p: r.none });
    var p = paths(s, r.ln);
    if (views.compute) {
      views.compute.data("lines", p.lines).data("band", p.band).run();
      views.bars.data("bars", bars).run();
    }
    return r;
  }

  function makeViews() {
    if (typeof vega === "undefined") return;
    var specs = D.specs;
    views.compute = new vega.View(vega.parse(specs.compute), { renderer: "canvas", container: "#chart-compute", hover: false });
    views.bars = new vega.View(vega.parse(specs.bars), { renderer: "canvas", container: "#chart-bars", hover: false });
  }

  // Controls: a number field (labelled, with its unit) and a slider bound to it.
  function controls() {
    var box = document.getElementById("controls");
    D.controls.forEach(function (c) {
      var row = document.createElement("div");
      row.className = "control";
      var label = document.createElement("label");
      label.htmlFor = c.id;
      label.textContent = c.label + " (" + c.unit + ")";
      var num = document.createElement("input");
      num.type = "number"; num.id = c.id; num.step = "any";
      num.min = String(c.min); num.max = String(c.max);
      var range = document.createElement("input");
      range.type = "range"; range.id = c.id + "-slider";
      range.setAttribute("aria-label", c.label + " (" + c.unit + "), slider");
      var lo = c.log ? Math.log10(c.min) : c.min, hi = c.log ? Math.log10(c.max) : c.max;
      range.min = String(lo); range.max = String(hi); range.step = String((hi - lo) / 200);
      function set(v, from) {
        if (!(v > 0) && c.log) return;
        if (from !== num) num.value = String(+v.toPrecision(4));
        if (from !== range) range.value = String(c.log ? Math.log10(v) : v);
        c.apply(CURRENT, v);
        render(CURRENT);
      }
      c.apply = function (st, v) {  // the setting at c.path, in the engine's unit
        var o = st;
        for (var q = 0; q < c.path.length - 1; q++) o = o[c.path[q]];
        o[c.path[c.path.length - 1]] = v * c.scale;
      };
      num.addEventListener("change", function () { set(parseFloat(num.value), num); });
      range.addEventListener("input", function () {
        var v = parseFloat(range.value);
        set(c.log ? Math.pow(10, v) : v, range);
      });
      c.reset = function () {
        num.value = String(+c.value.toPrecision(4));
        range.value = String(c.log ? Math.log10(c.value) : c.value);
      };
      c.reset();
      row.appendChild(label); row.appendChild(num); row.appendChild(range);
      box.appendChild(row);
    });
    document.getElementById("reset").addEventListener("click", function () {
      CURRENT = defaults();
      D.controls.forEach(function (c) { c.reset(); });
      render(CURRENT);
    });
  }

  window.Explore = {
    data: D, defaults: defaults, hitYears: function (s) {
      return Array.prototype.slice.call(hitYears(s)).map(function (t) { return t === Infinity ? null : t; });
    },
    render: function (s) { return render(s); }, current: function () { return CURRENT; }
  };
  controls();
  makeViews();
  render(CURRENT);
})();

// explore.html: move the assumptions, see the projection move (forecast/report/explore.py).
// This is the engine (forecast/project/limits.py and hits.py) written again in JavaScript,
// formula for formula, over the projection's own per-draw inputs
// (forecast/analysis/explore.py page_model): the run's demand on each ceiling, the compute
// each ceiling allows, the run held to the ceilings, the hit years (the closed form where
// the gap is log-linear, else the engine's yearly grid, the crossing then refined) and the dates
// the run passes 1e25-1e29 FLOP. tests/test_explore.py runs both on the same inputs.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("explore-data").textContent);
  var M = D.model, N = M.draws, K = M.limits.length, C = M.const;
  var LN10 = C.LN10, LN_SPD = Math.log(C.SECONDS_PER_DAY), SIZE_REF = C.SIZE_REF_LOG10_FLOP * LN10;
  var LOG10_2 = Math.log10(2);

  // -- the inputs ------------------------------------------------------------------------
  // A number (the same for every draw) or base64 little-endian float32 ("f4") or float64
  // ("f8"); the page computes in double precision, as the engine does.
  function arr(x) {
    if (typeof x === "number") return new Float64Array(N).fill(x);
    var bin = atob(x.f4 || x.f8), u = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return x.f4 ? Float64Array.from(new Float32Array(u.buffer)) : new Float64Array(u.buffer);
  }
  function series(S) {
    return { ref: S.ref, l: arr(S.l), s: arr(S.s),
             change: S.change === undefined ? null : arr(S.change),
             after: S.after === undefined ? null : arr(S.after) };
  }
  var IN = { compute: series(M.compute), ds: {}, R: null, limits: [] };
  ["price_performance", "efficiency"].forEach(function (n) { IN.ds[n] = series(M.datasheet[n]); });
  ["efficiency_limit", "utilization", "training_days", "overhead", "lifetime_years", "pue",
   "electricity_usd_per_kwh"].forEach(function (n) { IN.ds[n] = arr(M.datasheet[n]); });
  if (M.realised) {
    IN.R = { max_days: arr(M.realised.max_days), size: arr(M.realised.duration_size) };
    ["flops_per_usd", "flops_per_watt", "flop_per_usd_amortized", "duration_days"]
      .forEach(function (n) { IN.R[n] = series(M.realised[n]); });
  }
  M.limits.forEach(function (L) {
    IN.limits.push({ ln_factor: arr(L.ln_factor), limit: arr(L.limit), share: arr(L.share),
                     growth: arr(L.growth) });
  });
  var DEMANDS = ["compute", "flops_max", "flops", "capex", "power", "amortized"];
  var COMPUTE = 0, FLOPS_MAX = 1, FLOPS = 2, CAPEX = 3, POWER = 4, AMORTIZED = 5;

  // -- the engine's formulas -------------------------------------------------------------
  function lnS(S, i, t) {  // LogLinear.ln
    if (S.change) {
      var c = S.change[i];
      return LN10 * (S.l[i] + S.s[i] * (Math.min(t, c) - S.ref) + S.after[i] * Math.max(t - c, 0));
    }
    return LN10 * (S.l[i] + S.s[i] * (t - S.ref));
  }
  function logaddexp(a, b) {
    var m = Math.max(a, b);
    return m === -Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(a - b)));
  }
  function saturate(lnTrend, lnLimit) { return -logaddexp(-lnTrend, -lnLimit); }

  // The inputs under one setting of the controls (what apply_settings does in Python).
  function prepare(s) {
    var med = M.medians, P = { start: M.start, end: s.horizon + 1, floor: M.floor_log10 * LN10 };
    var c = IN.compute, rD = s.doubling / med.doubling, slope = new Float64Array(N);
    for (var i = 0; i < N; i++) slope[i] = c.s[i] / rD;
    P.compute = { ref: c.ref, l: c.l, s: slope, change: c.change, after: c.after };
    // A new doubling time from a chosen year: every draw's trend bends there.
    var bend = s.bend || (s.bendOn ? { year: s.bendYear, months: s.bendMonths } : null);
    if (bend) {
      var ch = new Float64Array(N).fill(bend.year);
      var af = new Float64Array(N).fill(12 * LOG10_2 / bend.months);
      P.compute.change = ch; P.compute.after = af;
    }
    var rDur = s.duration / med.duration, rE = s.efficiency / med.efficiency;
    var rP = s.price / med.price, d = IN.ds;
    P.lnEffLim = new Float64Array(N);
    for (i = 0; i < N; i++) P.lnEffLim[i] = Math.log(d.efficiency_limit[i]);
    P.lnLongest = new Float64Array(N);
    function withSlope(S, f) {  // a series whose slope is f(i, slope)
      var out = new Float64Array(N);
      for (var j = 0; j < N; j++) out[j] = f(j, S.s[j]);
      return { ref: S.ref, l: S.l, s: out, change: S.change, after: S.after };
    }
    if (IN.R) {
      var R = IN.R, lnMax = new Float64Array(N);
      for (i = 0; i < N; i++) {
        lnMax[i] = Math.log(R.max_days[i] * rDur);
        P.lnLongest[i] = lnMax[i] + LN_SPD;
      }
      // The price-performance rate moves both cost series by the same change of slope.
      var delta = new Float64Array(N);
      for (i = 0; i < N; i++) delta[i] = R.flops_per_usd.s[i] / rP - R.flops_per_usd.s[i];
      P.R = {
        lnMax: lnMax, size: R.size, dur: R.duration_days,
        fpu: withSlope(R.flops_per_usd, function (j, b) { return b + delta[j]; }),
        fpa: withSlope(R.flop_per_usd_amortized, function (j, b) { return b + delta[j]; }),
        fpw: withSlope(R.flops_per_watt, function (j, b) { return b / rE; })
      };
    } else {
      P.R = null;
      P.pp = withSlope(d.price_performance, function (j, b) { return b / rP; });
      P.eff = withSlope(d.efficiency, function (j, b) { return b / rE; });
      P.lnDays = new Float64Array(N); P.lnUDT = new Float64Array(N);
      P.lnOver = new Float64Array(N); P.lnPue = new Float64Array(N);
      P.lnHwShare = new Float64Array(N); P.lnEnergy = new Float64Array(N);
      for (i = 0; i < N; i++) {
        var sec = d.training_days[i] * rDur * C.SECONDS_PER_DAY;
        P.lnDays[i] = Math.log(sec);
        P.lnLongest[i] = Math.log(sec);
        P.lnUDT[i] = Math.log(d.utilization[i] * sec);
        P.lnOver[i] = Math.log(d.overhead[i]);
        P.lnPue[i] = Math.log(d.pue[i]);
        P.lnHwShare[i] = Math.log(sec / (d.lifetime_years[i] * C.SECONDS_PER_YEAR));
        P.lnEnergy[i] = Math.log(sec * d.electricity_usd_per_kwh[i] / C.J_PER_KWH);
      }
    }
    // The ceilings: ln limit(t) = ln_ref + ln_growth * (t - ref).
    P.limits = M.limits.map(function (L, k) {
      var S = s.limits[k] || {}, m = med.limits[k], src = IN.limits[k];
      var lev = S.level === undefined ? 1 : S.level;
      var rS = S.share === undefined ? 1 : S.share / m.share;
      var dg = S.growth === undefined ? 0 : S.growth - m.growth;
      var lnRef = new Float64Array(N), lnG = new Float64Array(N);
      for (var j = 0; j < N; j++) {
        lnRef[j] = src.ln_factor[j] + L.mult * Math.log(src.share[j] * rS * src.limit[j] * lev);
        lnG[j] = L.mult * Math.log1p(src.growth[j] + dg);
      }
      return { lnRef: lnRef, lnG: lnG, ref: L.ref, demand: DEMANDS.indexOf(L.demand) };
    });
    // The demands the held run needs: its limits' and the path's cost and power.
    P.need = new Uint8Array(DEMANDS.length);
    P.limits.forEach(function (L) {
      P.need[L.demand] = 1;
      L.need = new Uint8Array(DEMANDS.length);  // what its hit year needs
      L.need[L.demand] = 1;
    });
    P.needPath = new Uint8Array(DEMANDS.length).fill(1);
    // hits.is_log_linear, per limit.
    var bends = false, capped = false, allInf = true;
    if (P.compute.change) for (i = 0; i < N; i++) if (P.compute.change[i] < P.end) bends = true;
    if (P.R) for (i = 0; i < N; i++) if (P.R.lnMax[i] !== Infinity) capped = true;
    for (i = 0; i < N; i++) if (P.lnEffLim[i] !== Infinity) allInf = false;
    P.limits.forEach(function (L) {
      var w = L.demand;
      L.linear = !bends && (w === COMPUTE || w === FLOPS_MAX || (w === AMORTIZED && P.R !== null) ||
        ((w === CAPEX || w === FLOPS) && !capped) || (w === POWER && !capped && allInf));
    });
    return P;
  }

  function lnCompute(P, i, t) { return lnS(P.compute, i, t); }
  function lnRecord(P, i, t) { return Math.max(lnS(P.compute, i, t), P.floor); }
  function lnLimit(L, i, t) { return L.lnRef[i] + L.lnG[i] * (t - L.ref); }

  // limits.ln_demand: what a run of exp(lnc) FLOP at t demands, in the engine's units,
  // into DM for every demand `need` marks (the realised duration shared between them).
  var DM = new Float64Array(DEMANDS.length), UNC = 0, CAP = 0, USED = 0;
  function demands(P, i, t, lnc, need) {
    var R = P.R;
    DM[COMPUTE] = lnc;
    DM[FLOPS_MAX] = lnc - P.lnLongest[i];
    if (R) {
      UNC = lnS(R.dur, i, t) + R.size[i] * (lnc - SIZE_REF);
      CAP = R.lnMax[i];
      USED = Math.min(UNC, CAP);
      var sec = USED + LN_SPD;
      DM[FLOPS] = lnc - sec;
      if (need[CAPEX]) DM[CAPEX] = lnc - sec - lnS(R.fpu, i, t);
      if (need[POWER]) DM[POWER] = lnc - sec - saturate(lnS(R.fpw, i, t), P.lnEffLim[i]);
      if (need[AMORTIZED]) DM[AMORTIZED] = lnc - lnS(R.fpa, i, t);
      return;
    }
    DM[FLOPS] = lnc - P.lnDays[i];
    var capex = lnc + P.lnOver[i] - P.lnUDT[i] - lnS(P.pp, i, t);
    var power = lnc + P.lnPue[i] - P.lnUDT[i] - saturate(lnS(P.eff, i, t), P.lnEffLim[i]);
    DM[CAPEX] = capex; DM[POWER] = power;
    DM[AMORTIZED] = logaddexp(capex + P.lnHwShare[i], power + P.lnEnergy[i]);
  }
  // limits.ln_afford_from: the compute whose demand equals the limit, after demands() at
  // the same draw, t and compute. Demand is C^k times a factor without C: k = 1 but for
  // capital cost, power and FLOP/s under the realised conversion, whose duration grows as
  // C^size up to the cap, where the answer is the smaller of the two regimes' solutions.
  function afford(P, w, i, lnc, lim) {
    var gap = lim - DM[w];
    if (!P.R || w === AMORTIZED || w === COMPUTE || w === FLOPS_MAX) return lnc + gap;
    var size = P.R.size[i];
    return Math.min(lnc + (gap - (USED - UNC)) / (1 - size), lnc + (gap - (USED - CAP)));
  }
  // limits.ln_held: the record, or the compute the tightest ceiling allows where smaller.
  function lnHeld(P, i, t) {
    var lnc = lnRecord(P, i, t), out = lnc;
    demands(P, i, t, lnc, P.need);
    for (var k = 0; k < K; k++) {
      var L = P.limits[k], a = afford(P, L.demand, i, lnc, lnLimit(L, i, t));
      if (a < out) out = a;
    }
    return out;
  }

  function gapOf(P, L, i, t) {  // ln demand - ln limit against the trend
    demands(P, i, t, lnCompute(P, i, t), L.need);
    return DM[L.demand] - lnLimit(L, i, t);
  }

  // The root of f in [a, b] where f(a) < 0 <= f(b): regula falsi with the Illinois
  // step, to 1e-9 in f (ln units, whose slope is of order one a year) or 1e-7 years.
  function root(f, a, fa, b, fb) {
    var side = 0;
    for (var n = 0; n < 100 && b - a > 1e-7; n++) {
      var c = (a * fb - b * fa) / (fb - fa);
      if (!(c > a && c < b)) c = 0.5 * (a + b);
      var fc = f(c);
      if (Math.abs(fc) < 1e-9) return c;
      if (fc >= 0) { b = c; fb = fc; if (side === 1) fa *= 0.5; side = 1; }
      else { a = c; fa = fc; if (side === -1) fb *= 0.5; side = -1; }
    }
    return 0.5 * (a + b);
  }

  // hits.first_crossing for one draw: the first point of the grid from lo in steps of
  // `step` (and hi) where f >= 0 brackets the crossing, which is then refined.
  function firstCrossing(f, lo, hi, step) {
    var prev = lo, fprev = f(lo), t = lo, ft = fprev, j = 0;
    if (fprev >= 0) return lo;
    while (ft < 0) {
      if (t >= hi) return Infinity;
      prev = t; fprev = ft; j++;
      t = Math.min(lo + j * step, hi);
      ft = f(t);
    }
    return root(f, prev, fprev, t, ft);
  }

  // hits.hit_years: out[k * N + i], Infinity where not met by the end of the horizon year.
  function hitYears(P) {
    var out = new Float64Array(K * N);
    for (var k = 0; k < K; k++) {
      var L = P.limits[k];
      for (var i = 0; i < N; i++) {
        var t;
        if (L.linear) {  // hits.closed_form_hit
          var g0 = gapOf(P, L, i, 0), slope = gapOf(P, L, i, 1) - g0;
          t = slope > 0 ? -g0 / slope : Infinity;
          if (slope <= 0 && g0 + slope * P.start >= 0) t = P.start;
          t = t > P.end ? Infinity : Math.max(t, P.start);
        } else {
          t = firstCrossing(function (x) { return gapOf(P, L, i, x); }, P.start, P.end, 1);
        }
        out[k * N + i] = t;
      }
    }
    return out;
  }

  // hits.threshold_years (the trend, closed form) and hits.held_threshold_years (the run
  // held to the ceilings). The engine brackets the held run's first crossing on a
  // quarter-year grid; the page brackets it between the year ends of `pa` (the held path,
  // already computed) and refines it: the same date wherever the held run does not fall
  // back below a threshold within a year, which needs a ceiling that shrinks faster than
  // price-performance and the duration grow (a test checks both ways of finding it).
  function thresholdYears(P, pa) {
    var X = M.thresholds, T = X.length, trend = new Float64Array(T * N), held = new Float64Array(T * N);
    var c = P.compute, Y = pa.years.length;
    for (var i = 0; i < N; i++) {
      var h0 = lnHeld(P, i, P.start);
      for (var m = 0; m < T; m++) {
        var x = X[m], t = c.s[i] > 0 ? c.ref + (x - c.l[i]) / c.s[i] : Infinity;
        if (c.change) {
          var at = c.l[i] + c.s[i] * (c.change[i] - c.ref);
          var late = c.after[i] > 0 ? c.change[i] + (x - at) / c.after[i] : Infinity;
          if (!(t <= c.change[i])) t = late;
        }
        trend[m * N + i] = t > P.end ? Infinity : t;
        var lnx = x * LN10, out = Infinity;
        if (h0 >= lnx) out = P.start;
        else {
          for (var y = 0; y < Y; y++) {
            if (pa.held[y * N + i] * LN10 >= lnx) {
              var a = y ? pa.years[y - 1] + 1 : P.start, fa = (y ? pa.held[(y - 1) * N + i] * LN10 : h0) - lnx;
              out = root(function (u) { return lnHeld(P, i, u) - lnx; }, a, fa, pa.years[y] + 1,
                         pa.held[y * N + i] * LN10 - lnx);
              break;
            }
          }
        }
        held[m * N + i] = out;
      }
    }
    return { trend: trend, held: held };
  }

  // The engine's year grid: labels from the year the projection starts in, read at their
  // end (trajectory.year_instant).
  function yearsOf(P) {
    var out = [];
    for (var y = Math.floor(P.start); y <= P.end - 1 + 1e-9; y++) out.push(y);
    return out;
  }

  // Per year: the record, the run held to the ceilings with its demands, each ceiling's
  // allowed compute (engine.project's log10_flop, log10_flop_constrained, *_held,
  // log10_flop_allowed), all per draw.
  function paths(P) {
    var years = yearsOf(P), Y = years.length;
    var rec = new Float64Array(Y * N), held = new Float64Array(Y * N), allowed = new Float64Array(K * Y * N);
    var capex = new Float64Array(Y * N), amort = new Float64Array(Y * N), power = new Float64Array(Y * N);
    for (var y = 0; y < Y; y++) {
      var t = years[y] + 1;
      for (var i = 0; i < N; i++) {
        var lnc = lnRecord(P, i, t), out = lnc;
        demands(P, i, t, lnc, P.need);
        for (var k = 0; k < K; k++) {
          var L = P.limits[k], a = afford(P, L.demand, i, lnc, lnLimit(L, i, t));
          allowed[(k * Y + y) * N + i] = a / LN10;
          if (a < out) out = a;
        }
        var j = y * N + i;
        rec[j] = lnc / LN10;
        held[j] = out / LN10;
        demands(P, i, t, out, P.needPath);
        capex[j] = DM[CAPEX] / LN10;
        amort[j] = DM[AMORTIZED] / LN10;
        power[j] = DM[POWER] / LN10;
      }
    }
    return { years: years, record: rec, held: held, allowed: allowed, capex: capex,
             amortized: amort, power: power };
  }

  // -- summaries -------------------------------------------------------------------------
  // Rearranges a[lo..hi] so that a[k] is the value of rank k (Hoare's selection).
  function select(a, lo, hi, k) {
    while (hi > lo) {
      var x = a[(lo + hi) >> 1], i = lo, j = hi, w;
      while (i <= j) {
        while (a[i] < x) i++;
        while (a[j] > x) j--;
        if (i <= j) { w = a[i]; a[i] = a[j]; a[j] = w; i++; j--; }
      }
      if (k <= j) hi = j; else if (k >= i) lo = i; else return;
    }
  }
  var SORT = new Float64Array(N);
  // stats.quantiles: numpy's linear interpolation; Infinity (never) wherever it enters.
  // `qs` ascending; each rank is selected from what lies above the previous one.
  function quantiles(src, off, qs) {
    SORT.set(src.subarray(off, off + N));
    var from = 0, out = [];
    for (var n = 0; n < qs.length; n++) {
      var pos = qs[n] * (N - 1), lo = Math.floor(pos);
      select(SORT, from, N - 1, lo);
      // The next rank is the smallest of what lies above rank lo.
      var a = SORT[lo], b = a;
      if (pos > lo) { b = Infinity; for (var j = lo + 1; j < N; j++) if (SORT[j] < b) b = SORT[j]; }
      from = lo + 1;
      out.push(b === Infinity ? Infinity : a + (b - a) * (pos - lo));
    }
    return out;
  }
  var Q3 = [0.1, 0.5, 0.9];

  var TIMES = {};
  function timed(name, f) { var t0 = performance.now(), v = f(); TIMES[name] = performance.now() - t0; return v; }
  function compute(s) {
    var P = timed("prepare", function () { return prepare(s); });
    var h = timed("hits", function () { return hitYears(P); });
    var pa = timed("paths", function () { return paths(P); });
    var th = timed("thresholds", function () { return thresholdYears(P, pa); });
    var t0 = performance.now();
    var first = new Int32Array(N).fill(-1), firstT = new Float64Array(N).fill(Infinity);
    for (var k = 0; k < K; k++) for (var i = 0; i < N; i++) {
      var t = h[k * N + i];
      if (t < firstT[i]) { firstT[i] = t; first[i] = k; }
    }
    var rows = [];
    for (k = 0; k < K; k++) {
      var q = quantiles(h, k * N, Q3), reached = 0, wins = 0;
      for (i = 0; i < N; i++) { if (h[k * N + i] < Infinity) reached++; if (first[i] === k) wins++; }
      rows.push({ k: k, median: q[1], p10: q[0], p90: q[2], reached: reached / N, first: wins / N });
    }
    var none = 0;
    for (i = 0; i < N; i++) if (first[i] < 0) none++;
    var Y = pa.years.length, years = [];
    for (var y = 0; y < Y; y++) {
      var row = { year: pa.years[y] };
      ["record", "held", "capex", "amortized", "power"].forEach(function (n) {
        row[n] = quantiles(pa[n], y * N, Q3);
      });
      row.allowed = [];
      for (k = 0; k < K; k++) row.allowed.push(quantiles(pa.allowed, (k * Y + y) * N, [0.5])[0]);
      years.push(row);
    }
    var thresholds = M.thresholds.map(function (x, m) {
      var held = 0;
      for (i = 0; i < N; i++) if (th.held[m * N + i] < Infinity) held++;
      return { log10: x, trend: quantiles(th.trend, m * N, Q3), held: quantiles(th.held, m * N, Q3),
               heldBy: held / N };
    });
    TIMES.summaries = performance.now() - t0;
    return { P: P, hits: h, rows: rows, none: none / N, first: first,
             firstMedian: quantiles(firstT, 0, [0.5])[0], years: years, thresholds: thresholds,
             thresholdDraws: th };
  }

  // -- the page --------------------------------------------------------------------------
  function defaults() {
    var med = M.medians, s = { doubling: med.doubling, duration: med.duration,
      efficiency: med.efficiency, price: med.price, horizon: M.horizon, bend: null,
      bendOn: false, bendYear: Math.floor(M.start) + 4, bendMonths: med.doubling, limits: {} };
    for (var k = 0; k < K; k++) {
      var m = med.limits[k];
      s.limits[k] = { level: 1, share: m.share, growth: m.growth };
    }
    return s;
  }
  function fmtYear(t, s) { return t === Infinity ? "after " + s.horizon : t.toFixed(1); }
  // As the briefing writes shares (report/style.percent): one that is not 0 or 1 never
  // rounds to them.
  function pct(p) {
    if (p > 0 && p < 0.005) return "<1%";
    if (p < 1 && p >= 0.995) return ">99%";
    return Math.round(100 * p) + "%";
  }
  function sci(log10) {  // 10^x as "2.2e27"
    if (!isFinite(log10)) return "n/a";
    var e = Math.floor(log10), m = Math.pow(10, log10 - e);
    if (m >= 9.95) { m = 1; e += 1; }
    return m.toFixed(1) + "e" + e;
  }
  function scaled(log10, units) {  // 10^x with the largest unit it reaches, 3 figures
    if (!isFinite(log10)) return "n/a";
    for (var u = 0; u < units.length; u++) {
      if (log10 >= units[u][0] || u === units.length - 1) {
        var v = Math.pow(10, log10 - units[u][0]);
        return units[u][2] + (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + units[u][1];
      }
    }
  }
  var USD = [[12, " trillion", "$"], [9, " billion", "$"], [6, " million", "$"], [0, "", "$"]];
  var WATTS = [[9, " GW", ""], [6, " MW", ""], [3, " kW", ""], [0, " W", ""]];
  function band(q, f) { return f(q[1]) + " (" + f(q[0]) + " to " + f(q[2]) + ")"; }  // [p10, median, p90]

  function fill(id, rows) {  // a table body from rows of cells; the first is the row header
    var body = document.getElementById(id);
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (v, c) {
        var td = document.createElement(c ? "td" : "th");
        if (!c) td.setAttribute("scope", "row"); else td.className = "num";
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  var CURRENT = defaults(), views = {};
  function render(s) {
    var r = compute(s);
    fill("hits-body", r.rows.map(function (row) {
      return [M.limits[row.k].name, fmtYear(row.median, s),
              fmtYear(row.p10, s) + " to " + fmtYear(row.p90, s), pct(row.first), pct(row.reached)];
    }));
    var best = r.rows.slice().sort(function (a, b) { return b.first - a.first; })[0];
    var head = document.getElementById("headline");
    var when = r.firstMedian <= M.start
      ? "at the projection's start (" + M.start.toFixed(1) + "): in at least half the draws the trend's run" +
        " already needs more than a limit allows, so read it as now"
      : "in " + fmtYear(r.firstMedian, s) + " (median over draws)";
    head.textContent = (!best || best.first === 0)
      ? "No limit is met by the end of " + s.horizon + " in any draw."
      : "Binds first: " + M.limits[best.k].name + ", in " + pct(best.first) +
        " of draws. The first limit is met " + when + ". " +
        (r.none ? "In " + pct(r.none) + " of draws no limit is met by the end of " + s.horizon + "."
                : "Every draw meets a limit by the end of " + s.horizon + ".");
    var shown = r.years.filter(function (row, y) {
      return y < 5 || (row.year % 5 === 0) || y === r.years.length - 1;
    });
    fill("held-body", shown.map(function (row) {
      return [String(row.year), band(row.held, sci), sci(row.record[1]),
              band(row.capex, function (v) { return scaled(v, USD); }),
              band(row.amortized, function (v) { return scaled(v, USD); }),
              band(row.power, function (v) { return scaled(v, WATTS); })];
    }));
    // A date before the start is the trend's (no published run need have passed it);
    // an interval whose ends read alike is shown once.
    function date(t) { return t < M.start ? "before " + M.start.toFixed(1) : fmtYear(t, s); }
    function dates(q) {
      var d = q.map(date);
      return d[0] === d[2] ? d[1] : d[1] + " (" + d[0] + " to " + d[2] + ")";
    }
    fill("thresholds-body", r.thresholds.map(function (row) {
      return ["1e" + row.log10, dates(row.trend), dates(row.held), pct(row.heldBy)];
    }));
    if (views.compute) {
      var lines = [], bandData = [];
      r.years.forEach(function (row) {
        row.allowed.forEach(function (v, k) { lines.push({ year: row.year, value: v, series: M.limits[k].name }); });
        lines.push({ year: row.year, value: row.record[1], series: "Largest run, unconstrained" });
        lines.push({ year: row.year, value: row.held[1], series: "Largest run, held to the limits" });
        bandData.push({ year: row.year, lo: row.held[0], hi: row.held[2] });
      });
      var bars = r.rows.map(function (row) { return { name: M.limits[row.k].name, p: row.first }; });
      bars.push({ name: "None by the horizon", p: r.none });
      var t1 = performance.now();
      views.compute.data("lines", lines).data("band", bandData).run();
      views.bars.data("bars", bars).run();
      TIMES.vega = performance.now() - t1;
    }
    return r;
  }

  function makeViews() {
    if (typeof vega === "undefined") return;
    views.compute = new vega.View(vega.parse(D.specs.compute), { renderer: "canvas", container: "#chart-compute", hover: false });
    views.bars = new vega.View(vega.parse(D.specs.bars), { renderer: "canvas", container: "#chart-bars", hover: false });
  }

  // Controls: a labelled number field with its unit and a slider bound to it.
  function controls() {
    D.controls.forEach(function (c) {
      var box = document.getElementById("controls-" + c.box);
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
      range.min = String(lo); range.max = String(hi); range.step = String(c.step || (hi - lo) / 200);
      var msg = document.createElement("span");
      msg.className = "problem"; msg.setAttribute("role", "alert");
      function set(v, from) {
        if (!(v >= c.min && v <= c.max)) {
          msg.textContent = c.label + ": give a number from " + c.min + " to " + c.max + ".";
          return;
        }
        msg.textContent = "";
        if (from !== num) num.value = String(+v.toPrecision(4));
        if (from !== range) range.value = String(c.log ? Math.log10(v) : v);
        apply(CURRENT, c, v);
        render(CURRENT);
      }
      num.addEventListener("change", function () { set(parseFloat(num.value), num); });
      range.addEventListener("input", function () {
        var v = parseFloat(range.value);
        set(c.log ? Math.pow(10, v) : v, range);
      });
      c.reset = function () {
        msg.textContent = "";
        num.value = String(+c.value.toPrecision(4));
        range.value = String(c.log ? Math.log10(c.value) : c.value);
      };
      c.reset();
      row.appendChild(label); row.appendChild(num); row.appendChild(range); row.appendChild(msg);
      box.appendChild(row);
    });
    var on = document.getElementById("bend-on");
    on.addEventListener("change", function () { CURRENT.bendOn = on.checked; render(CURRENT); });
    document.getElementById("reset").addEventListener("click", function () {
      CURRENT = defaults();
      on.checked = false;
      D.controls.forEach(function (c) { c.reset(); });
      render(CURRENT);
    });
  }
  // The setting a control's value gives (its path in the settings, in the engine's unit).
  function apply(st, c, v) {
    var o = st;
    for (var q = 0; q < c.path.length - 1; q++) o = o[c.path[q]];
    o[c.path[c.path.length - 1]] = v * c.scale;
  }

  window.Explore = {
    data: D, defaults: defaults,
    hitYears: function (s) {
      return Array.prototype.map.call(hitYears(prepare(s)), function (t) { return t === Infinity ? null : t; });
    },
    project: function (s) {  // what the engine-vs-page test compares, per draw
      var P = prepare(s), pa = paths(P), th = thresholdYears(P, pa), nul = function (t) { return t === Infinity ? null : t; };
      return { hits: Array.prototype.map.call(hitYears(P), nul), years: pa.years,
               held: Array.from(pa.held), record: Array.from(pa.record), allowed: Array.from(pa.allowed),
               capex: Array.from(pa.capex), power: Array.from(pa.power), amortized: Array.from(pa.amortized),
               trend: Array.prototype.map.call(th.trend, nul), heldThresholds: Array.prototype.map.call(th.held, nul) };
    },
    linear: function (s) { return prepare(s).limits.map(function (L) { return L.linear; }); },
    render: function (s) { return render(s); }, times: function () { return TIMES; }, current: function () { return CURRENT; }
  };
  controls();
  makeViews();
  render(CURRENT);
})();

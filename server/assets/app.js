// attrib dashboard: plain JavaScript and SVG, no external code.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const fmt = {
  money(v) {
    if (v == null) return "–";
    const s = Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return s === "-0.00" ? "0.00" : s;
  },
  count(v) { return v == null ? "–" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 1 }); },
  ratio(v) { return v == null ? "–" : Number(v).toFixed(2); },
  pct(v) { return v == null ? "–" : (Number(v) * 100).toFixed(1) + "%"; },
  text(v) { return v == null ? "" : String(v); },
  time(v) { return v == null ? "" : String(v).replace("T", " ").replace(/(\.\d+)?Z$/, " UTC"); },
  date(v) { return v == null ? "" : String(v).slice(0, 10); },
  // compact: axis labels (1.2k, 3.4M).
  compact(v) {
    if (v == null) return "–";
    const a = Math.abs(v);
    for (const [d, u] of [[1e9, "B"], [1e6, "M"], [1e3, "k"]]) if (a >= d) return +(v / d).toFixed(a >= 10 * d ? 0 : 1) + u;
    return +Number(v).toFixed(a >= 10 || a === 0 ? 0 : 1) + "";
  },
  // signed: a change, with its sign.
  signed(v) {
    if (v == null) return "–";
    const s = fmt.money(v);
    return s === "0.00" || s.startsWith("-") ? s : "+" + s;
  },
};

// How each column is shown; unknown columns are text.
const columnFormat = {
  spend: "money", revenue: "money", cpa: "money", lifetime_value: "money", recommended_spend: "money", change: "signed",
  incremental_revenue: "money", cost_per_incremental_conversion: "money", period_spend: "money", expected_revenue_change: "signed",
  conversions: "count", persons: "count", cohort_size: "count", retained: "count", rows_in: "count", rows_out: "count",
  attributed_conversions: "count", incremental_conversions: "count", contribution: "count", periods: "count", days: "count",
  roas: "ratio", roi: "ratio", marginal_roi: "ratio", churn_risk: "ratio", seconds: "ratio",
  iroas: "ratio", marginal_roas: "ratio", incrementality_factor: "ratio", recommended_marginal_roi: "ratio", r_squared: "ratio",
  conversion_share: "pct", retention_rate: "pct", rate_from_first: "pct", rate_from_previous: "pct",
  change_factor: "pct", holdout_mape: "pct", baseline_share: "pct", experiment_fit: "pct", contribution_share: "pct",
  started_at: "time", finished_at: "time", last_active_at: "time",
  period_start: "date", period_end: "date", window_start: "date", window_end: "date", week_start: "date",
};
const numeric = new Set(["money", "signed", "count", "ratio", "pct"]);
// Columns whose sign is coloured.
const signedCols = new Set(["roi", "change", "marginal_roi", "expected_revenue_change"]);

// The config's reporting currency (from /api/dashboard/filters); money
// headings name it.
let currency = "";

function filters() {
  const f = new FormData($("#filters"));
  const p = new URLSearchParams();
  for (const [k, v] of f.entries()) if (v) p.set(k, v);
  return p;
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || r.status + " " + r.statusText);
  return body;
}

function objects(res) {
  return res.rows.map(row => Object.fromEntries(res.columns.map((c, i) => [c.name, row[i]])));
}

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function svgEl(tag, attrs = {}) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function cell(col, v) {
  const f = columnFormat[col] || "text";
  const td = el("td", { text: fmt[f](v) });
  if (numeric.has(f)) {
    td.className = "num";
    if (v != null) td.dataset.value = v;
    if (signedCols.has(col) && v != null && Math.abs(Number(v)) >= 0.005) td.classList.add(Number(v) < 0 ? "neg" : "pos");
  }
  td.dataset.col = col;
  return td;
}

// table shows res (all columns, or columns in that order). opts: heads
// (column -> header text), cells (column -> function(row) -> td), rowClass
// (function(row) -> class name), foot (a tr for the table's foot), cls
// (the table's class).
function table(res, columns, opts = {}) {
  const cols = columns || res.columns.map(c => c.name);
  const t = el("table", { class: opts.cls || "" });
  const head = el("tr");
  const money = c => currency && (columnFormat[c] === "money" || columnFormat[c] === "signed") ? ` (${currency})` : "";
  for (const c of cols) head.append(el("th", { text: ((opts.heads && opts.heads[c]) || c.replace(/_/g, " ")) + money(c), class: numeric.has(columnFormat[c]) ? "num" : "" }));
  t.append(el("thead", {}, head));
  const body = el("tbody");
  for (const o of objects(res)) {
    const tr = el("tr");
    const rc = opts.rowClass && opts.rowClass(o);
    if (rc) tr.className = rc;
    for (const c of cols) tr.append(opts.cells && opts.cells[c] ? opts.cells[c](o) : cell(c, o[c]));
    body.append(tr);
  }
  t.append(body);
  if (opts.foot) t.append(el("tfoot", {}, opts.foot));
  return t;
}

// intervalCell shows a value with its 90% interval under it.
function intervalCell(col, v, lo, hi, format) {
  const td = cell(col, v);
  if (lo != null || hi != null) {
    td.append(el("span", { class: "interval", text: `${format(lo)} to ${format(hi)}` }));
    if (lo != null) td.dataset.low = lo;
    if (hi != null) td.dataset.high = hi;
  }
  return td;
}

// niceTicks are about n round values spanning lo..hi.
function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw);
  const out = [];
  for (let v = Math.floor(lo / step) * step; v < hi + step * 0.999; v += step) out.push(+v.toPrecision(12));
  return out;
}

function svgText(s, attrs, text) {
  const t = svgEl("text", attrs);
  t.textContent = text;
  s.append(t);
  return t;
}

function svgTitle(node, text) {
  const t = svgEl("title");
  t.textContent = text;
  node.append(t);
  return node;
}

// barChart draws horizontal bars of one measure per label.
function barChart(items, label, measure, format, w = 1100) {
  const rowH = 22, left = 170, right = 90;
  const h = items.length * rowH + 10;
  const vals = items.map(o => Number(o[measure] ?? 0));
  const max = Math.max(1e-9, ...vals.map(Math.abs));
  const s = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img", "aria-label": measure + " by " + label });
  items.forEach((o, i) => {
    const y = i * rowH + 4, v = vals[i], bw = Math.abs(v) / max * (w - left - right);
    const t = svgEl("text", { x: left - 6, y: y + 13, "text-anchor": "end" }); t.textContent = o[label]; s.append(t);
    s.append(svgEl("rect", { x: left, y, width: Math.max(bw, 1), height: rowH - 6, class: "bar" + (v < 0 ? " neg" : ""), "data-label": o[label], "data-value": v }));
    const vt = svgEl("text", { x: left + bw + 4, y: y + 13 }); vt.textContent = format(o[measure]); s.append(vt);
  });
  return s;
}

// outlierCap is where a bar chart's axis stops when one value dwarfs the
// others (more than 3x the next largest): 1.2x the next largest; else null.
function outlierCap(vals) {
  const a = vals.map(Math.abs).sort((x, y) => y - x);
  if (a.length < 3 || !(a[1] > 0) || a[0] <= 3 * a[1]) return null;
  return a[1] * 1.2;
}

// sortedBarChart draws bars largest first; an outlier's bar is cut at the
// cap (marked with a break, its real value printed) so the others stay readable.
function sortedBarChart(items, label, measure, format, w = 1100) {
  const sorted = [...items].sort((a, b) => Number(b[measure]) - Number(a[measure]));
  const cap = outlierCap(sorted.map(o => Number(o[measure] ?? 0)));
  const shown = sorted.map(o => cap == null || Math.abs(Number(o[measure])) <= cap ? o : { ...o, [measure]: Math.sign(Number(o[measure])) * cap, capped: Number(o[measure]) });
  const s = barChart(shown, label, measure, v => format(v), w);
  const rowH = 22, left = 170, right = 90;
  shown.forEach((o, i) => {
    if (o.capped == null) return;
    const rect = s.querySelectorAll("rect")[i];
    rect.classList.add("capped");
    rect.dataset.value = o.capped;
    const x = left + (w - left - right) - 14, y = i * rowH + 4;
    s.append(svgEl("path", { d: `M${x} ${y - 1}l6 ${rowH - 4}M${x + 5} ${y - 1}l6 ${rowH - 4}`, class: "break" }));
    s.querySelectorAll("text")[2 * i + 1].textContent = format(o.capped);
  });
  const note = cap == null ? null : el("p", { class: "hint", text: `Sorted, largest first. The axis stops at ${format(cap)}: longer bars are cut (marked //) and show their real value.` });
  return el("div", {}, s, note);
}

// lineChart draws one line per series over the weeks; value(week, series)
// is a number or null (a gap).
function lineChart(weeks, series, colour, value, yLabel, format, w = 360, h = 200) {
  const left = 50, right = 8, top = 10, bottom = 26;
  const vals = weeks.flatMap(wk => series.map(x => value(wk, x))).filter(v => v != null && isFinite(v)).map(Number);
  const cap = outlierCap(vals);
  const ticks = niceTicks(Math.min(0, ...vals), cap ?? Math.max(1e-9, ...vals), 4);
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const X = i => left + (weeks.length > 1 ? i / (weeks.length - 1) : 0.5) * (w - left - right);
  const Y = v => top + (hi - Math.min(v, hi)) / (hi - lo) * (h - top - bottom);
  const s = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img", "aria-label": yLabel + " by week" });
  for (const t of ticks) {
    s.append(svgEl("line", { x1: left, x2: w - right, y1: Y(t), y2: Y(t), class: t === 0 ? "axis zero" : "axis" }));
    svgText(s, { x: left - 5, y: Y(t) + 4, "text-anchor": "end", class: "tick" }, format(t));
  }
  if (weeks.length) {
    svgText(s, { x: left, y: h - 8, class: "tick" }, fmt.date(weeks[0]));
    svgText(s, { x: w - right, y: h - 8, "text-anchor": "end", class: "tick" }, fmt.date(weeks[weeks.length - 1]));
  }
  for (const x of series) {
    let d = "", pen = false;
    weeks.forEach((wk, i) => {
      const v = value(wk, x);
      if (v == null || !isFinite(v)) { pen = false; return; }
      d += (pen ? "L" : "M") + X(i).toFixed(1) + " " + Y(Number(v)).toFixed(1);
      pen = true;
    });
    if (d) s.append(svgTitle(svgEl("path", { d, class: "line", stroke: colour(x), "data-series": x }), x));
  }
  return el("figure", { class: "multiple" }, el("figcaption", {}, el("b", { text: yLabel }), el("span", { class: "sub", text: cap == null ? "" : `axis cut at ${format(hi)}; higher weeks run off the top` })), s);
}

// pivot turns long rows into a row-label x column-label grid.
function pivot(rows, rowKey, colKey, valKey) {
  const rowsOut = [], cols = [], grid = new Map();
  for (const o of rows) {
    if (!grid.has(o[rowKey])) { grid.set(o[rowKey], new Map()); rowsOut.push(o[rowKey]); }
    if (!cols.includes(o[colKey])) cols.push(o[colKey]);
    grid.get(o[rowKey]).set(o[colKey], o[valKey]);
  }
  return { rows: rowsOut, cols, grid };
}

function heatTable(p, rowTitle, colTitle, format, scaleMax) {
  const t = el("table", { class: "heatmap" });
  const head = el("tr", {}, el("th", { text: rowTitle }));
  for (const c of p.cols) head.append(el("th", { class: "num", text: colTitle(c) }));
  t.append(el("thead", {}, head));
  const body = el("tbody");
  const vals = [...p.grid.values()].flatMap(m => [...m.values()]).filter(v => v != null).map(Number);
  const max = scaleMax ?? Math.max(1e-9, ...vals);
  for (const r of p.rows) {
    const tr = el("tr", {}, el("th", { text: fmt.text(r) }));
    for (const c of p.cols) {
      const v = p.grid.get(r).get(c);
      const td = el("td", { class: "heat", text: v == null ? "" : format(v) });
      if (v != null) {
        td.dataset.value = v;
        const a = Math.max(0, Math.min(1, Number(v) / max));
        td.style.background = `rgba(47, 111, 222, ${(0.08 + 0.62 * a).toFixed(3)})`;
        if (a > 0.6) td.style.color = "#fff";
      }
      tr.append(td);
    }
    body.append(tr);
  }
  t.append(body);
  return t;
}

const BASELINE = "(baseline)";
// Series colours: the baseline grey, channels in this order.
const palette = ["#2f6fde", "#e8833a", "#12a37f", "#c2417f", "#7a5cd6", "#d4b21c", "#1aa3c9", "#a3541f", "#5f8f2a", "#d6453d", "#4f5d75", "#9c6ade"];

// stackedBars draws one bar per category stacking the series (bottom
// first); value(category, series) is a number or null. Categories in
// partial are drawn lighter.
function stackedBars(cats, series, colour, value, partial, yLabel, w = 1100) {
  const h = 300, left = 58, right = 12, top = 12, bottom = 34;
  let lo = 0, hi = 0;
  const stacks = cats.map(c => {
    let up = 0, down = 0;
    return series.map(s => {
      const v = Number(value(c, s) ?? 0);
      if (v >= 0) { up += v; hi = Math.max(hi, up); return [s, up - v, up, v]; }
      down += v; lo = Math.min(lo, down); return [s, down, down - v, v];
    });
  });
  const ticks = niceTicks(lo, hi);
  lo = ticks[0]; hi = ticks[ticks.length - 1];
  const y = v => top + (hi - v) / (hi - lo) * (h - top - bottom);
  const step = (w - left - right) / Math.max(1, cats.length), bw = Math.max(1, step * 0.82);
  const s = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img", "aria-label": yLabel + " by week" });
  for (const t of ticks) {
    s.append(svgEl("line", { x1: left, x2: w - right, y1: y(t), y2: y(t), class: t === 0 ? "axis zero" : "axis" }));
    svgText(s, { x: left - 6, y: y(t) + 4, "text-anchor": "end", class: "tick" }, fmt.compact(t));
  }
  svgText(s, { x: 12, y: top + (h - top - bottom) / 2, transform: `rotate(-90 12 ${top + (h - top - bottom) / 2})`, "text-anchor": "middle", class: "tick" }, yLabel);
  const stackX = i => left + i * step + (step - bw) / 2;
  cats.forEach((c, i) => {
    const g = svgEl("g", { "data-week": c, class: partial.has(c) ? "partial" : "" });
    for (const [name, a, b, v] of stacks[i]) {
      if (v === 0) continue;
      g.append(svgTitle(svgEl("rect", { x: stackX(i), y: y(b), width: bw, height: Math.max(0.5, y(a) - y(b)), fill: colour(name), "data-series": name, "data-value": v }),
        `week of ${c}${partial.has(c) ? " (part)" : ""} · ${name}: ${fmt.count(v)}`));
    }
    s.append(g);
  });
  // Month labels under the first week starting in each month; the first
  // bar gets one too when it is far enough from the next.
  const day = c => Number(String(c).slice(8, 10));
  const marks = cats.map((c, i) => i).filter(i => day(cats[i]) <= 7);
  if (cats.length && marks[0] !== 0 && (marks.length === 0 || marks[0] * step >= 48)) marks.unshift(0);
  let free = -Infinity; // where the next label may start (labels never overlap)
  marks.forEach((i, k) => {
    const c = String(cats[i]), d = new Date(c.slice(0, 10) + "T00:00:00Z");
    const label = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" }) + (k === 0 || c.slice(5, 7) === "01" ? " " + c.slice(0, 4) : "");
    if (stackX(i) < free) return;
    svgText(s, { x: stackX(i), y: h - bottom + 16, class: "tick" }, label);
    free = stackX(i) + label.length * 6 + 8;
  });
  return s;
}

// legend is a row of colour swatches with labels.
function legend(items) {
  return el("div", { class: "legend" }, ...items.map(([label, colour, cls]) => {
    if (!colour && !cls) return el("span", { class: "key" }, label);
    const sw = el("i", { class: "swatch " + (cls || "") });
    if (colour) sw.style.background = colour; // CSSOM: the page's CSP refuses style attributes
    return el("span", { class: "key" }, sw, label);
  }));
}

// curveChart draws one channel's response curve: incremental revenue per
// period against spend per period, the current level marked, and the
// break-even line (revenue = spend) dashed.
function curveChart(points, w = 280, h = 170) {
  const left = 46, right = 12, top = 10, bottom = 30;
  const xs = points.map(o => Number(o.period_spend)), ys = points.map(o => Number(o.incremental_revenue));
  const ytop = Math.max(...ys), xtop = Math.max(...xs);
  const xt = niceTicks(0, xtop > 0 ? xtop : 1, 3), yt = niceTicks(0, ytop > 1e-6 ? ytop : 1, 3);
  const xmax = xt[xt.length - 1], ymax = yt[yt.length - 1];
  const X = v => left + v / xmax * (w - left - right), Y = v => top + (1 - v / ymax) * (h - top - bottom);
  const s = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img", "aria-label": "response curve of " + points[0].channel });
  for (const t of yt) {
    s.append(svgEl("line", { x1: left, x2: w - right, y1: Y(t), y2: Y(t), class: t === 0 ? "axis zero" : "axis" }));
    svgText(s, { x: left - 5, y: Y(t) + 4, "text-anchor": "end", class: "tick" }, fmt.compact(t));
  }
  for (const t of xt) svgText(s, { x: X(t), y: h - bottom + 14, "text-anchor": "middle", class: "tick" }, fmt.compact(t));
  const be = Math.min(xmax, ymax);
  if (ytop > 1e-6) s.append(svgTitle(svgEl("line", { x1: X(0), y1: Y(0), x2: X(be), y2: Y(be), class: "breakeven" }), "break-even: revenue = spend"));
  s.append(svgEl("path", { d: points.map((o, i) => (i ? "L" : "M") + X(xs[i]).toFixed(1) + " " + Y(ys[i]).toFixed(1)).join(" "), class: "curve" }));
  points.forEach((o, i) => {
    if (!o.is_current) return;
    const c = svgEl("circle", { cx: X(xs[i]), cy: Y(ys[i]), r: 4.5, class: "current", "data-spend": xs[i], "data-revenue": ys[i] });
    s.append(svgTitle(c, `now: ${fmt.money(xs[i])} spend → ${fmt.money(ys[i])} incremental revenue per period`));
    s.append(svgEl("line", { x1: X(xs[i]), x2: X(xs[i]), y1: Y(ys[i]), y2: Y(0), class: "current-drop" }));
  });
  return s;
}

// pathVsIncremental draws per channel the conversions path attribution
// credits and the incremental conversions with their 90% interval.
function pathVsIncremental(rows, w = 1100) {
  const rowH = 34, left = 170, right = 120, top = 4;
  const h = rows.length * rowH + top + 4;
  const max = Math.max(1e-9, ...rows.flatMap(o => [o.attributed_conversions, o.incremental_conversions, o.incremental_conversions_high].map(v => Number(v ?? 0))));
  const X = v => left + Number(v) / max * (w - left - right);
  const s = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, width: "100%", role: "img", "aria-label": "attributed and incremental conversions by channel" });
  rows.forEach((o, i) => {
    const y = top + i * rowH;
    const g = svgEl("g", { "data-channel": o.channel });
    svgText(g, { x: left - 6, y: y + 18, "text-anchor": "end" }, o.channel);
    const a = Number(o.attributed_conversions ?? 0);
    g.append(svgTitle(svgEl("rect", { x: left, y: y + 3, width: Math.max(X(a) - left, 1), height: 11, class: "bar path", "data-value": a }),
      `${o.channel}: ${fmt.count(a)} conversions credited by ${o.attribution_model}`));
    if (o.incremental_conversions != null) {
      const v = Number(o.incremental_conversions);
      g.append(svgTitle(svgEl("rect", { x: left, y: y + 16, width: Math.max(X(v) - left, 1), height: 11, class: "bar inc", "data-value": v }),
        `${o.channel}: ${fmt.count(v)} incremental conversions (90%: ${fmt.count(o.incremental_conversions_low)} to ${fmt.count(o.incremental_conversions_high)})`));
      if (o.incremental_conversions_low != null && o.incremental_conversions_high != null) {
        const x1 = X(o.incremental_conversions_low), x2 = X(o.incremental_conversions_high), yc = y + 21.5;
        g.append(svgEl("path", { d: `M${x1} ${yc - 4}V${yc + 4}M${x1} ${yc}H${x2}M${x2} ${yc - 4}V${yc + 4}`, class: "whisker" }));
      }
    } else {
      svgText(g, { x: left + 4, y: y + 25, class: "tick" }, String(o.method));
    }
    svgText(g, { x: w - right + 8, y: y + 18, class: "factor" }, o.incrementality_factor == null ? "–" : "×" + fmt.ratio(o.incrementality_factor));
    s.append(g);
  });
  return s;
}

// The media mix model fit of the selected conversion type, fetched once per
// refresh; the incrementality panels say with it why they are empty.
let fitCache = new Map();
function fitFor(params) {
  const type = params.get("type") || "(all)";
  if (!fitCache.has(type)) {
    fitCache.set(type, getJSON("/api/dashboard/mmm_fit?" + new URLSearchParams({ type }))
      .then(res => res.missing ? { missing: true } : (objects(res)[0] || null)).catch(e => ({ error: e.message })));
  }
  return fitCache.get(type);
}

// whyEmpty says why an incrementality panel has no rows.
async function whyEmpty(params) {
  const type = params.get("type") || "(all)";
  const fit = await fitFor(params);
  if (fit && fit.error) return "No rows for these filters (the model fit could not be loaded: " + fit.error + ").";
  if (fit && fit.missing) return "No data yet: the pipeline has not built the mmm_fit table.";
  if (!fit) return `No media mix model for conversion type ${type}: it has no conversions in the model's window.`;
  if (fit.status !== "fitted") return `The media mix model for ${type} is ${fit.status}: ${fit.warnings || "no reason recorded"}.`;
  return `No rows for these filters (the model's window is ${fmt.date(fit.window_start)} to ${fmt.date(fit.window_end)}).`;
}

const emptyWhy = {
  mmm_fit: params => `No media mix model for conversion type ${params.get("type") || "(all)"}: it has no conversions in the model's window.`,
  contribution: whyEmpty,
  response_curves: whyEmpty,
  incrementality: whyEmpty,
};

const periodWord = { day: "day", week: "week" };

function badge(text, cls) { return el("span", { class: "badge " + cls, text }); }

const renderers = {
  kpis(res) {
    const o = objects(res)[0] || {};
    for (const k of $$(".kpi")) {
      const key = k.dataset.kpi, v = o[key];
      const f = columnFormat[key] || "ratio";
      $(".value", k).textContent = fmt[f](v);
      if (v == null) delete k.dataset.value; else k.dataset.value = v;
    }
  },
  channels(res, sec) {
    const rows = objects(res);
    $(".chart", sec).replaceChildren(sortedBarChart(rows.filter(o => o.roas != null), "channel", "roas", v => fmt.ratio(v) + "×"));
    const flagged = rows.filter(o => o.paid_as_organic);
    const t = table(res, ["channel", "channel_group", "spend", "conversions", "revenue", "cpa", "roas", "roi"], {
      rowClass: o => o.paid_as_organic ? "flagged" : "",
      cells: { channel: o => { const td = el("td", { text: o.channel }); td.dataset.col = "channel"; if (o.paid_as_organic) td.append(" ", badge("has spend", "warn")); return td; } },
    });
    const params = new URLSearchParams(location.search);
    const markov = (params.get("model") || "markov") === "markov" ? el("p", { class: "hint markov-note", text: "Conversions here are per-conversion credits: each conversion's credit is shared among the channels on its own path " +
      "(markov: in proportion to removal effects). markov_removal_effects allocates all conversions by removal effect instead, so a channel can have many there and none here; both are right." }) : null;
    if (!flagged.length) return markov ? el("div", {}, markov, t) : t;
    const names = flagged.map(o => o.channel).join(", ");
    return el("div", {}, el("p", { class: "notice flag", text: `${names}: classed organic but has spend. A paid source or medium the channel rules do not know ` +
      "(e.g. paid WeChat classed Organic Social) inflates organic and hides the paid channel's cost per conversion: add a rule under channels: rules: in attrib.yaml (see `attrib channels`)." }), markov, t);
  },
  trend(res, sec) {
    const rows = objects(res);
    const weeks = [], grid = new Map(), totals = new Map();
    for (const o of rows) {
      const wk = fmt.date(o.week_start);
      if (!grid.has(wk)) { grid.set(wk, new Map()); weeks.push(wk); }
      grid.get(wk).set(o.channel, o);
      const t = totals.get(o.channel) || [0, 0];
      totals.set(o.channel, [t[0] + Number(o.conversions ?? 0), t[1] + Number(o.spend ?? 0)]);
    }
    // Channels ranked by their share of conversions plus their share of spend,
    // so big spenders with few conversions (TV) are drawn too.
    const sumC = [...totals.values()].reduce((a, t) => a + t[0], 0) || 1, sumS = [...totals.values()].reduce((a, t) => a + t[1], 0) || 1;
    const weight = x => totals.get(x)[0] / sumC + totals.get(x)[1] / sumS;
    const all = [...totals.keys()].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
    const series = all.slice(0, palette.length);
    const colours = new Map(series.map((x, i) => [x, palette[i]]));
    const colour = x => colours.get(x);
    const get = k => (wk, x) => { const o = grid.get(wk).get(x); return o == null || o[k] == null ? null : Number(o[k]); };
    const cur = currency ? ` (${currency})` : "";
    const more = all.length > series.length ? el("p", { class: "hint", text: `${all.length - series.length} smaller channels not drawn; choose one in the Channel filter.` }) : null;
    $(".chart", sec).replaceChildren(legend(series.map(x => [x, colour(x)])),
      el("div", { class: "multiples trend" },
        lineChart(weeks, series, colour, get("conversions"), "conversions per week", fmt.compact),
        lineChart(weeks, series, colour, get("spend"), "spend per week" + cur, fmt.compact),
        lineChart(weeks, series, colour, get("roas"), "ROAS per week", v => fmt.ratio(v) + "×")), ...(more ? [more] : []));
    return null;
  },
  roas_matrix(res) {
    const p = pivot(objects(res), "channel", "model", "roas");
    return heatTable(p, "channel \\ model", c => c, fmt.ratio);
  },
  model_comparison(res) {
    const p = pivot(objects(res), "channel", "model", "conversion_share");
    return heatTable(p, "channel \\ model", c => c, fmt.pct);
  },
  funnel(res, sec) {
    const rows = objects(res);
    const first = rows.length ? Number(rows[0].persons) : 0;
    rows.forEach((o, i) => {
      o.rate_from_first = first ? Number(o.persons) / first : null;
      o.rate_from_previous = i && Number(rows[i - 1].persons) ? Number(o.persons) / Number(rows[i - 1].persons) : (i ? null : 1);
    });
    $(".chart", sec).replaceChildren(barChart(rows, "stage", "persons", fmt.count, 560));
    const res2 = { columns: ["stage", "persons", "rate_from_previous", "rate_from_first"].map(name => ({ name })), rows: rows.map(o => [o.stage, o.persons, o.rate_from_previous, o.rate_from_first]) };
    return table(res2);
  },
  cohorts(res) {
    const p = pivot(objects(res), "cohort_start", "period_offset", "retention_rate");
    p.cols.sort((a, b) => a - b);
    return heatTable(p, "cohort", c => "+" + c, fmt.pct, 1);
  },
  churn(res) { return table(res); },
  mmm_fit(res) {
    const o = objects(res)[0];
    const cls = { fitted: "good", failed: "bad", "not fitted": "warn" }[o.status] || "muted";
    const line = el("div", { class: "fitline" }, badge(o.status, "status " + cls));
    line.dataset.status = o.status;
    const fact = (label, key, text, title) => {
      const f = el("span", { class: "fact", "data-key": key, title: title || "" }, el("span", { class: "label", text: label }), el("b", { text }));
      if (o[key] != null) f.dataset.value = o[key];
      return f;
    };
    if (o.status === "fitted") {
      line.append(
        fact("R²", "r_squared", fmt.ratio(o.r_squared), "share of the variation of conversions per period the model explains, in sample"),
        fact("holdout MAPE", "holdout_mape", fmt.pct(o.holdout_mape), "mean absolute percentage error on periods the model did not see (rolling-origin holdouts)"),
        fact("baseline share", "baseline_share", fmt.pct(o.baseline_share), "share of the fitted conversions that would have happened without any spend channel"),
        fact("experiments used", "experiments_used", fmt.text(o.experiments_used ?? 0), "lift, geo and go-dark tests that calibrated the fit"),
        fact("experiment fit", "experiment_fit", o.experiment_fit == null ? "none to check" : fmt.pct(o.experiment_fit), "share of the experiments whose lift the model reproduces within 1.645 standard errors"),
      );
    }
    if (o.window_start) {
      const n = o.periods != null ? `, ${o.periods} ${periodWord[o.grain] || "period"}s` : "";
      line.append(fact("window", "window_start", `${fmt.date(o.window_start)} to ${fmt.date(o.window_end)}${n}`));
    }
    const out = el("div", {}, line);
    if (o.status !== "fitted") {
      out.append(el("p", { class: "notice", text: `The media mix model for ${o.conversion_type} is ${o.status}: ${o.warnings || "no reason recorded"}.` }));
    } else if (o.warnings) {
      // Shown whole: a warning may itself hold "; ".
      out.append(el("p", { class: "warnings", text: "Warnings: " + o.warnings }));
    }
    return out;
  },
  contribution(res, sec) {
    const rows = objects(res);
    const weeks = [], grid = new Map(), totals = new Map(), spend = new Map(), partial = new Set();
    for (const o of rows) {
      const wk = fmt.date(o.week_start);
      if (!grid.has(wk)) { grid.set(wk, new Map()); weeks.push(wk); }
      grid.get(wk).set(o.channel, Number(o.contribution));
      totals.set(o.channel, (totals.get(o.channel) || 0) + Number(o.contribution));
      if (o.spend != null) spend.set(o.channel, (spend.get(o.channel) || 0) + Number(o.spend));
      if (Number(o.days) < 7) partial.add(wk);
    }
    const series = [...totals.keys()].sort((a, b) => (b === BASELINE) - (a === BASELINE) || totals.get(b) - totals.get(a) || a.localeCompare(b));
    const colours = new Map(series.filter(x => x !== BASELINE).map((x, i) => [x, palette[i % palette.length]]));
    colours.set(BASELINE, "#c3c9d2");
    const colour = x => colours.get(x);
    const note = partial.size ? el("p", { class: "hint", text: "Lighter bars: weeks only partly inside the model's window or the date filter." }) : null;
    $(".chart", sec).replaceChildren(
      stackedBars(weeks, series, colour, (w, x) => grid.get(w).get(x), partial, "conversions per week"),
      legend(series.map(x => [x === BASELINE ? "baseline (without any spend channel)" : x, colour(x)])), ...(note ? [note] : []));
    const all = [...totals.values()].reduce((a, b) => a + b, 0);
    const res2 = {
      columns: ["channel", "spend", "contribution", "contribution_share"].map(name => ({ name })),
      rows: series.map(x => [x, spend.has(x) ? spend.get(x) : null, totals.get(x), all ? totals.get(x) / all : null]),
    };
    const foot = el("tr", { class: "total" }, el("th", { text: "total" }), cell("spend", [...spend.values()].reduce((a, b) => a + b, 0)), cell("contribution", all), cell("contribution_share", all ? 1 : null));
    return table(res2, null, { heads: { contribution: "fitted conversions", contribution_share: "share" }, foot });
  },
  response_curves(res) {
    const rows = objects(res);
    const by = new Map();
    for (const o of rows) {
      if (!by.has(o.channel)) by.set(o.channel, []);
      by.get(o.channel).push(o);
    }
    const per = periodWord[rows[0].grain] || "period";
    const grid = el("div", { class: "multiples" });
    for (const [ch, pts] of by) {
      const cur = pts.find(o => o.is_current);
      const flat = Math.max(...pts.map(o => Number(o.incremental_revenue))) <= 1e-6;
      const sub = flat ? "no measurable effect at any level of spend" : cur ? (Number(cur.period_spend) > 0
        ? `now ${fmt.money(cur.period_spend)} → ${fmt.money(cur.incremental_revenue)} a ${per}; marginal ROAS ${fmt.ratio(cur.marginal_roas)}`
        : "no spend in the budget window") : "";
      grid.append(el("figure", { class: "multiple", "data-channel": ch }, el("figcaption", {}, el("b", { text: ch }), el("span", { class: "sub", text: sub })), curveChart(pts)));
    }
    const key = legend([[`x: spend per ${per}`], [`y: incremental revenue per ${per}`], ["current spend (mean over the budget window)", null, "dot"], ["break-even: revenue = spend", null, "dash"]]);
    return el("div", {}, key, grid);
  },
  incrementality(res, sec) {
    const rows = objects(res);
    const model = (rows.find(o => o.attribution_model) || {}).attribution_model || "acquisition";
    const win = rows.find(o => o.window_start);
    const key = legend([[`path: conversions credited by the ${model} model`, null, "path"], ["incremental: media mix model", null, "inc"], ["90% interval", null, "whisker"],
      ["factor = incremental / path"], win ? [`over ${fmt.date(win.window_start)} to ${fmt.date(win.window_end)}`] : null].filter(Boolean));
    $(".chart", sec).replaceChildren(key, pathVsIncremental(rows));
    $(".model", sec).textContent = `path model: ${model}`;
    return table(res, ["channel", "spend", "attributed_conversions", "incremental_conversions", "incrementality_factor", "incremental_revenue", "cost_per_incremental_conversion", "iroas", "marginal_roas", "method"], {
      heads: { attributed_conversions: `attributed (${model})`, incremental_conversions: "incremental (90% interval)", incrementality_factor: "factor",
        incremental_revenue: "incremental revenue (90% interval)", cost_per_incremental_conversion: "cost per incremental conversion" },
      cells: {
        incremental_conversions: o => intervalCell("incremental_conversions", o.incremental_conversions, o.incremental_conversions_low, o.incremental_conversions_high, fmt.count),
        incremental_revenue: o => intervalCell("incremental_revenue", o.incremental_revenue, o.incremental_revenue_low, o.incremental_revenue_high, fmt.money),
      },
      cls: "wrap-head",
    });
  },
  budget(res) {
    const rows = objects(res);
    const sum = k => rows.reduce((a, o) => a + Number(o[k] ?? 0), 0);
    const r0 = rows.find(o => o.period_start) || {};
    const note = el("p", { class: "note", text: `Spend over the budget window ${fmt.date(r0.period_start)} to ${fmt.date(r0.period_end)} (the last weeks of the model's window), moved between channels with the total kept: ` +
      `${fmt.money(sum("spend"))} now, ${fmt.money(sum("recommended_spend"))} recommended. Held channels (grey) keep their spend.` });
    const basisText = { mmm: "mmm", "mmm+experiments": "mmm + experiments", held: "held" };
    const foot = el("tr", { class: "total" }, el("th", { text: "total" }), cell("spend", sum("spend")), cell("recommended_spend", sum("recommended_spend")),
      cell("change", sum("change")), el("td"), cell("expected_revenue_change", sum("expected_revenue_change")), el("td"), el("td"));
    const t = table(res, ["channel", "spend", "recommended_spend", "change", "change_factor", "expected_revenue_change", "basis", "reason"], {
      heads: { spend: "spend in the window", change_factor: "recommended / spend", expected_revenue_change: "expected revenue change (90% interval)" },
      cells: {
        expected_revenue_change: o => intervalCell("expected_revenue_change", o.expected_revenue_change, o.expected_revenue_change_low, o.expected_revenue_change_high, fmt.signed),
        basis: o => { const td = el("td", {}, badge(basisText[o.basis] || fmt.text(o.basis), "basis " + String(o.basis).replace(/[^a-z]+/g, "-"))); td.dataset.col = "basis"; td.dataset.value = fmt.text(o.basis); return td; },
      },
      rowClass: o => o.basis === "held" ? "held" : "",
      foot,
      cls: "wrap-head",
    });
    return el("div", {}, note, t);
  },
  runs(res) { return table(res); },
};

// What each panel is computed with, shown in its heading.
let acquisitionModel = "";
const modelLabel = {
  kpis: p => `model: ${p.get("model") || "markov"} · conversions: ${p.get("type") || "(all)"}`,
  channels: p => `model: ${p.get("model") || "markov"}`,
  trend: p => `model: ${p.get("model") || "markov"}`,
  roas_matrix: () => "every model side by side",
  model_comparison: () => "every model side by side",
  funnel: () => "no attribution model: channel of each person's first touch",
  cohorts: () => `acquisition channel by the ${acquisitionModel || "acquisition"} model`,
  churn: () => `acquisition channel by the ${acquisitionModel || "acquisition"} model`,
  mmm_fit: () => "media mix model",
  contribution: () => "media mix model",
  response_curves: () => "media mix model",
  budget: () => "media mix model, all conversion types",
};

async function loadPanel(sec, params) {
  const name = sec.dataset.panel;
  const ml = $(".modellabel", sec);
  if (ml && modelLabel[name]) ml.textContent = modelLabel[name](params);
  const url = `/api/dashboard/${name}?${params}`;
  const csv = $(".csv", sec);
  if (csv) { csv.href = url + "&format=csv"; csv.setAttribute("download", name + ".csv"); }
  const body = $(".body", sec);
  sec.dataset.state = "loading";
  try {
    const res = await getJSON(url);
    if (res.missing) {
      if (body) body.replaceChildren(el("p", { class: "empty", text: `No data yet: the pipeline has not built the ${res.table} table.` }));
      $$(".chart", sec).forEach(c => c.replaceChildren());
      if (csv) csv.hidden = true;
      sec.dataset.state = "empty";
      return;
    }
    if (csv) csv.hidden = false;
    if (!res.rows.length && body) {
      const why = emptyWhy[name] ? await emptyWhy[name](params) : "No rows for these filters.";
      body.replaceChildren(el("p", { class: "empty", text: why }));
      $$(".chart", sec).forEach(c => c.replaceChildren());
      sec.dataset.state = "empty";
      return;
    }
    const out = renderers[name](res, sec);
    if (out && body) body.replaceChildren(out);
    sec.dataset.state = "ready";
  } catch (e) {
    if (body) body.replaceChildren(el("p", { class: "error-msg", text: "Could not load: " + e.message }));
    sec.dataset.state = "error";
  }
}

async function refresh() {
  const params = filters();
  history.replaceState(null, "", "?" + params);
  fitCache = new Map();
  $("#inc-type").textContent = params.get("type") || "(all)";
  $("#units .modellabel").textContent = modelLabel.kpis(params);
  $("#status").textContent = "Loading…";
  $("#status").className = "";
  await Promise.all($$("[data-panel]").map(sec => loadPanel(sec, params)));
  const errors = $$("[data-panel][data-state=error]").length;
  $("#status").textContent = errors ? `${errors} panel(s) could not load.` : "Updated " + new Date().toLocaleTimeString();
  $("#status").className = errors ? "error" : "";
  document.body.dataset.ready = "true";
}

function fillSelect(sel, values, keep) {
  for (const v of values || []) sel.append(el("option", { value: v, text: v }));
  if (keep && values && values.includes(keep)) sel.value = keep;
}

async function init() {
  const q = new URLSearchParams(location.search);
  try {
    const f = objects(await getJSON("/api/dashboard/filters"))[0] || {};
    currency = f.currency || "";
    acquisitionModel = f.acquisition_model || "";
    $("#currency").textContent = currency ? `Amounts in ${currency}` + (f.timezone ? `, days in ${f.timezone}` : "") + " ·" : "";
    for (const k of $$(".kpi")) if (currency && ["spend", "revenue", "cpa"].includes(k.dataset.kpi)) $(".label", k).textContent += ` (${currency})`;
    fillSelect($("#f-channel"), f.channels, q.get("channel"));
    fillSelect($("#f-model"), f.models, q.get("model") || (f.models && f.models.includes("markov") ? "markov" : null));
    fillSelect($("#f-type"), f.conversion_types, q.get("type") || "(all)");
    $("#f-from").value = q.get("from") || "";
    $("#f-to").value = q.get("to") || "";
    if (f.min_date) { $("#f-from").min = $("#f-to").min = String(f.min_date).slice(0, 10); }
    if (f.max_date) { $("#f-from").max = $("#f-to").max = String(f.max_date).slice(0, 10); }
  } catch (e) {
    $("#status").textContent = "Could not load filters: " + e.message;
    $("#status").className = "error";
  }
  $("#filters").addEventListener("submit", ev => { ev.preventDefault(); refresh(); });
  $("#f-reset").addEventListener("click", () => { $("#f-from").value = ""; $("#f-to").value = ""; $("#f-channel").value = ""; refresh(); });
  await refresh();
}

init();

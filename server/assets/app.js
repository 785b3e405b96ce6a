// attrib dashboard: plain JavaScript and SVG, no external code.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const fmt = {
  money(v) { return v == null ? "–" : Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); },
  count(v) { return v == null ? "–" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 1 }); },
  ratio(v) { return v == null ? "–" : Number(v).toFixed(2); },
  pct(v) { return v == null ? "–" : (Number(v) * 100).toFixed(1) + "%"; },
  text(v) { return v == null ? "" : String(v); },
  time(v) { return v == null ? "" : String(v).replace("T", " ").replace(/(\.\d+)?Z$/, " UTC"); },
};

// How each column is shown; unknown columns are text.
const columnFormat = {
  spend: "money", revenue: "money", cpa: "money", lifetime_value: "money", recommended_spend: "money", change: "money",
  conversions: "count", persons: "count", cohort_size: "count", retained: "count", rows_in: "count", rows_out: "count",
  roas: "ratio", roi: "ratio", marginal_roi: "ratio", churn_risk: "ratio", seconds: "ratio",
  conversion_share: "pct", retention_rate: "pct", rate_from_first: "pct", rate_from_previous: "pct",
  started_at: "time", finished_at: "time", last_active_at: "time",
};
const numeric = new Set(["money", "count", "ratio", "pct"]);

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
    if ((col === "roi" || col === "change" || col === "marginal_roi") && v != null) td.classList.add(Number(v) < 0 ? "neg" : "pos");
  }
  td.dataset.col = col;
  return td;
}

function table(res, columns) {
  const cols = columns || res.columns.map(c => c.name);
  const t = el("table");
  const head = el("tr");
  for (const c of cols) head.append(el("th", { text: c.replace(/_/g, " "), class: numeric.has(columnFormat[c]) ? "num" : "" }));
  t.append(el("thead", {}, head));
  const body = el("tbody");
  for (const o of objects(res)) {
    const tr = el("tr");
    for (const c of cols) tr.append(cell(c, o[c]));
    body.append(tr);
  }
  t.append(body);
  return t;
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
    $(".chart", sec).replaceChildren(barChart(rows.filter(o => o.roas != null), "channel", "roas", v => fmt.ratio(v) + "×"));
    return table(res, ["channel", "channel_group", "spend", "conversions", "revenue", "cpa", "roas", "roi"]);
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
  budget(res) { return table(res); },
  runs(res) { return table(res); },
};

async function loadPanel(sec, params) {
  const name = sec.dataset.panel;
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
      body.replaceChildren(el("p", { class: "empty", text: "No rows for these filters." }));
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

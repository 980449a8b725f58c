// The local console page: draws /dashboard.json (dashboards/console_document.py) with uPlot, refreshed in place
// every 10 s. The incident view comes first; every time on the page is UTC, as in the logs and the RUNBOOK.
"use strict";

const UNIT_PX = 30; // one CloudWatch height unit
const PLOT_PX = 200; // a graph's canvas: plot area (~150 px) and its time axis; the legend comes below
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
const AXIS_FONT = "11px system-ui, sans-serif";
// The time axis: "fit" (the document's: from the first datapoint to now) or the last N minutes.
const RANGES = [["fit", null], ["15 min", 15], ["1 h", 60], ["3 h", 180]];
let range = new URLSearchParams(location.hash.slice(1)).get("range") || "fit";
let last = null; // the last document drawn, redrawn when the range changes

const REFRESH_MS = 10000;
const SHOWN_PER_CAUSE = 3; // alarms listed per cause before the rest fold

// HH:MM:SS UTC (the page's one timezone).
function when(epoch) {
  return epoch ? `${new Date(epoch * 1000).toISOString().slice(11, 19)} UTC` : "-";
}

// "12 min" / "1 h 05 min" / "40 s": how long ago, for "since" times.
function ago(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

// Axis numbers short enough for a narrow axis: 1,500 -> 1.5k, 2,000,000 -> 2M, 0.25 -> 0.25.
function compact(v) {
  if (v === null || v === undefined) return "";
  const a = Math.abs(v);
  const trim = (x) => String(Number(x.toPrecision(3)));
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

const measure = document.createElement("canvas").getContext("2d");
measure.font = AXIS_FONT;
function axisWidth(u, values) {
  const widest = Math.max(0, ...(values || []).map((v) => measure.measureText(String(v)).width));
  return Math.ceil(widest) + 18; // tick + gap
}

function hhmm(epoch) {
  return new Date(epoch * 1000).toISOString().slice(11, 16);
}

function alarmChip(a) {
  const state = a.local ? (a.state || "INSUFFICIENT_DATA") : "NONE";
  const label = a.local ? state.replace("INSUFFICIENT_DATA", "NO DATA") : "AWS only";
  return el("div", { class: "alarm", "data-alarm": a.key, "data-state": state, title: a.condition || "" },
    el("span", { class: `chip ${state}` }, label), el("span", { class: "key" }, a.key),
    el("span", { class: "since" }, a.local && a.since ? `since ${hhmm(a.since)} UTC` : ""));
}

function widgetBox(w, cls) {
  const span = w.width || 24;
  // Narrow widgets widen on a narrow screen (index.html's media queries): nothing overflows at 800 px.
  const box = el("div", { class: `w ${cls}${span < 12 ? " narrow" : span < 24 ? " half" : ""}`, "data-type": w.type });
  box.style.setProperty("--span", String(span));
  if (w.title) box.append(el("h3", {}, w.title));
  return box;
}

// Threshold lines (alarm and SLO values) across the whole plot. Labels sit at the right end above the line;
// a label that would overlap the one drawn before goes below its line, or to the left end: close lines stay
// readable. Each drawn line is listed in the box's data-lines (label, colour, y in CSS px from the canvas top).
// The minute in progress is shaded and marked "partial": its datapoints are still filling.
function overlayPlugin(lines, box, partialFrom) {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        const dpr = devicePixelRatio;
        const { left, top, width, height } = u.bbox;
        const drawn = [];
        ctx.save();
        if (partialFrom) {
          const x0 = Math.max(left, u.valToPos(partialFrom, "x", true));
          if (x0 < left + width) {
            ctx.fillStyle = "rgba(104, 112, 120, 0.12)";
            ctx.fillRect(x0, top, left + width - x0, height);
            ctx.fillStyle = "#687078";
            ctx.font = `${10 * dpr}px system-ui, sans-serif`;
            ctx.textAlign = "right";
            ctx.textBaseline = "top";
            ctx.fillText("partial", left + width - 2 * dpr, top + 2 * dpr);
          }
        }
        const placed = [];
        for (const line of [...lines].sort((a, b) => b.value - a.value)) {
          const y = Math.round(u.valToPos(line.value, "y", true));
          if (y < top - 1 || y > top + height + 1) continue;
          ctx.strokeStyle = line.color;
          ctx.fillStyle = line.color;
          ctx.lineWidth = 2 * dpr;
          ctx.setLineDash([8 * dpr, 5 * dpr]);
          ctx.beginPath();
          ctx.moveTo(left, y);
          ctx.lineTo(left + width, y);
          ctx.stroke();
          ctx.font = `${11 * dpr}px system-ui, sans-serif`;
          const h = 13 * dpr;
          // Candidate label spots: right above, right below, left above, left below; the first free one wins.
          const spots = [["right", y - 3 * dpr, "bottom"], ["right", y + 3 * dpr, "top"],
                         ["left", y - 3 * dpr, "bottom"], ["left", y + 3 * dpr, "top"]];
          const free = spots.find(([side, ly, base]) => {
            const y0 = base === "bottom" ? ly - h : ly;
            return y0 >= top - h && y0 + h <= top + height + h
              && !placed.some((p) => p.side === side && Math.abs(p.y0 - y0) < h);
          }) || spots[0];
          const [side, ly, base] = free;
          ctx.textAlign = side;
          ctx.textBaseline = base;
          // Right-hand labels end before the partial minute's band, where its own label is.
          const right = Math.min(left + width, partialFrom ? u.valToPos(partialFrom, "x", true) : left + width);
          ctx.fillText(line.label, side === "right" ? right - 4 * dpr : left + 4 * dpr, ly);
          placed.push({ side, y0: base === "bottom" ? ly - h : ly });
          drawn.push({ label: line.label, color: line.color, y: y / dpr });
        }
        ctx.restore();
        box.dataset.lines = JSON.stringify(drawn);
      },
    },
  };
}

function timeRange(win) {
  const minutes = Object.fromEntries(RANGES)[range];
  if (!minutes) return [win.start, win.end];
  return [Math.max(win.earliest, win.end - minutes * 60), win.end];
}

// An axis title: the labels of the series drawn against it (shortened when many).
function axisLabel(labels) {
  const unique = [...new Set(labels)];
  if (unique.length > 3) return ""; // many series (one per route): the legend names them
  const text = unique.join(", ");
  return text.length > 36 ? `${text.slice(0, 33)}...` : text;
}

function drawGraph(w, box, doc) {
  const win = doc.window;
  box.dataset.title = w.title;
  if (w.no_local_source && !w.series.length) {
    box.replaceChildren(el("h3", {}, w.title), el("div", { class: "none" }, w.no_local_source));
    return null;
  }
  const xs = [...new Set(w.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const data = [xs];
  const series = [{ value: (u, v) => (v == null ? "-" : `${hhmm(v)} UTC`) }];
  const peak = { y: 0, r: 0 };
  w.series.forEach((s, i) => {
    const byX = new Map(s.points.map((p) => [p[0], p[1]]));
    const ys = xs.map((x) => (byX.has(x) ? byX.get(x) : null));
    const scale = s.axis === "right" ? "r" : "y";
    peak[scale] = Math.max(peak[scale], ...ys.filter((v) => v !== null));
    data.push(ys);
    series.push({
      label: s.axis === "right" ? `${s.label} (right axis)` : s.label,
      stroke: s.color || PALETTE[i % PALETTE.length], width: 2, scale,
      spanGaps: true, // as CloudWatch joins the datapoints it has
      points: { show: (u, si, i0, i1) => i1 - i0 < 90, size: 6 }, // sparse data stays visible
      value: (u, v) => (v == null ? "-" : compact(v)),
    });
  });
  const lines = w.lines.map((l) => ({ ...l, color: l.color || "#d62728" }));
  for (const line of lines) { // legend entries only: the plugin draws them across the plot
    data.push(xs.map(() => null));
    series.push({ label: line.label, stroke: line.color, dash: [6, 4], width: 2, points: { show: false },
                  value: () => compact(line.value) });
    peak.y = Math.max(peak.y, line.value);
  }
  const left = w.series.filter((s) => s.axis !== "right").map((s) => s.label);
  const right = w.series.filter((s) => s.axis === "right").map((s) => s.label);
  const axes = [
    { space: 60, size: 28, font: AXIS_FONT, values: (u, splits) => splits.map(hhmm) },
    { scale: "y", font: AXIS_FONT, values: (u, splits) => splits.map(compact), size: axisWidth,
      label: axisLabel(left), labelSize: 16, labelFont: AXIS_FONT },
  ];
  if (right.length) {
    axes.push({ scale: "r", side: 1, grid: { show: false }, font: AXIS_FONT, label: axisLabel(right),
                labelSize: 16, labelFont: AXIS_FONT, values: (u, splits) => splits.map(compact), size: axisWidth });
  }
  const width = Math.max(160, box.clientWidth - 16);
  const top = (hi) => Math.max(1, hi * 1.15); // room above the highest value or line for its label
  // The minute in progress (its start: the document's last evaluation) is partial.
  const partialFrom = doc.incident ? doc.incident.evaluated_at : null;
  const plot = new uPlot({
    width, height: PLOT_PX, series, axes, legend: { live: true }, cursor: { drag: { x: false, y: false } },
    plugins: [overlayPlugin(lines, box, partialFrom)],
    scales: { x: { time: true, range: () => timeRange(win) },
              y: { range: () => [0, w.left_max || top(peak.y)] },
              r: { range: () => [0, top(peak.r)] } },
  }, data);
  box.replaceChildren(el("h3", {}, w.title), plot.root);
  box.dataset.points = String(w.series.reduce((n, s) => n + s.points.filter((p) => p[1] !== null).length, 0));
  box.dataset.colors = JSON.stringify(series.slice(1, 1 + w.series.length).map((s) => s.stroke));
  return plot;
}

function drawLog(w, box) {
  const head = el("h3", {}, w.title);
  if (w.no_local_source) { box.replaceChildren(head, el("div", { class: "none" }, w.no_local_source)); return; }
  if (w.error) { box.replaceChildren(head, el("div", { class: "none" }, `query ${w.query}: ${w.error}`)); return; }
  const table = el("table", {}, el("tr", {}, ...w.columns.map((c) => el("th", {}, c))));
  for (const row of w.rows.slice(0, 50)) {
    table.append(el("tr", {}, ...row.map((v) => el("td", { class: typeof v === "number" ? "num" : "" }, v ?? ""))));
  }
  box.replaceChildren(head, el("div", { class: "since" }, `saved query ${w.query}: ${w.rows.length} rows (local logs, times UTC)`),
    el("div", { class: "scroll" }, table));
}

function rangePicker() {
  const picker = document.getElementById("range");
  picker.replaceChildren(el("span", { class: "label" }, "time (UTC)"), ...RANGES.map(([name]) => {
    const button = el("button", { type: "button", "data-range": name, class: name === range ? "on" : "" }, name);
    button.addEventListener("click", () => {
      range = name;
      history.replaceState(null, "", name === "fit" ? location.pathname : `#range=${encodeURIComponent(name)}`);
      if (last) { invalidate(); render(last); }
    });
    return button;
  }));
}

// ---- the incident view: what notifies now ---------------------------------------------------------------

function incidentView(doc) {
  const inc = doc.incident;
  const box = el("section", { id: "incident-view", "data-section": inc.title });
  const c = inc.counts;
  box.append(el("h2", {}, inc.title),
    el("div", { class: "judged" }, `Notifying alarms only (composites, not their windows). Judged over complete minutes, `
      + `last evaluation ${when(inc.evaluated_at)}; the minute in progress is not judged yet.`));
  if (!inc.recorded) {
    box.append(el("div", { class: "verdict nodata", "data-verdict": "no-data" },
      "Nothing recorded yet: no alarm can be judged, and no data is not OK. Send traffic (make load URL=...) "
      + "or check that this console belongs to the running server."));
    return box;
  }
  if (!inc.groups.length) {
    const nodata = c.INSUFFICIENT_DATA ? `; ${c.INSUFFICIENT_DATA} without data (not judged: no traffic on what they watch)` : "";
    box.append(el("div", { class: "verdict ok", "data-verdict": "quiet" },
      `Nothing notifies now: ${c.OK} notifying alarms OK${nodata}.`));
    return box;
  }
  for (const g of inc.groups) {
    const card = el("article", { class: `cause ${g.severity}`, "data-kind": g.kind, "data-severity": g.severity });
    card.append(el("div", { class: "cause-head" },
      el("span", { class: `sev ${g.severity}` }, g.severity.toUpperCase()),
      el("h3", {}, g.cause),
      el("span", { class: "since-utc", "data-since": String(g.since || "") },
        g.since ? `since ${hhmm(g.since)} UTC (${ago(doc.now - g.since)})` : "")));
    const list = el("ul", { class: "firing" });
    const more = el("ul", { class: "firing" });
    g.alarms.forEach((a, i) => {
      // A route's alarms share the cause's title: the route and the condition tell them apart.
      const item = el("li", { "data-alarm": a.key },
        el("b", {}, a.route || a.title), el("span", {}, a.route ? ` ${a.condition}` : ""),
        el("span", { class: "since" }, a.since ? ` · since ${hhmm(a.since)} UTC` : ""),
        el("div", { class: "why" }, `still red: ${a.why || a.condition}`));
      // The first few alarms of a cause keep the first screen for the other causes; the rest fold.
      if (i < SHOWN_PER_CAUSE) list.append(item); else more.append(item);
    });
    card.append(list);
    if (more.children.length) {
      card.append(el("details", { class: "more" },
        el("summary", {}, `${more.children.length} more alarms of this cause`), more));
    }
    const checks = el("ol", { class: "checks" }, ...g.first_checks.slice(0, 3).map((t) => el("li", {}, t)));
    card.append(el("div", { class: "label" }, "First checks"), checks);
    const links = el("div", { class: "links" },
      el("a", { href: g.runbook, target: "_blank", rel: "noopener", class: "runbook" }, `RUNBOOK: ${g.cause}`));
    for (const q of g.queries) {
      links.append(el("a", { href: q.href, target: "_blank", rel: "noopener", class: "query" }, `query ${q.key}`));
    }
    card.append(links);
    box.append(card);
  }
  return box;
}

function headerCounts(doc) {
  const c = doc.incident.counts;
  const firing = `${c.ALARM} notifying in ALARM` + (c.ALARM ? ` (${c.page} page, ${c.ticket} ticket)` : "");
  document.getElementById("alarm-counts").replaceChildren(
    el("span", {}, el("span", { class: `chip ${c.ALARM ? "ALARM" : "OK"}` }, firing)),
    el("span", {}, el("span", { class: "chip OK" }, `${c.OK} OK`)),
    el("span", {}, el("span", { class: "chip INSUFFICIENT_DATA" }, `${c.INSUFFICIENT_DATA} no data`)));
}

function routeTable(doc) {
  const totals = document.getElementById("totals");
  const minute = doc.current_minute ? `${hhmm(doc.current_minute)} UTC` : "-";
  totals.replaceChildren(el("tr", {}, el("th", {}, "route"),
    el("th", { class: "num", title: `the last complete minute, ${minute}` }, `req/min`),
    el("th", { class: "num" }, "5xx/min"), el("th", { class: "num" }, "4xx/min"),
    el("th", { class: "num", title: "since the recording started" }, "requests"),
    el("th", { class: "num" }, "5xx"), el("th", { class: "num" }, "4xx")));
  for (const [route, t] of Object.entries(doc.totals)) {
    const now = (doc.current || {})[route] || { requests: 0, faults: 0, client_errors: 0 };
    totals.append(el("tr", { "data-route": route }, el("td", {}, route),
      el("td", { class: "num" }, now.requests), el("td", { class: `num${now.faults ? " bad" : ""}` }, now.faults),
      el("td", { class: "num" }, now.client_errors),
      el("td", { class: "num dim" }, t.requests), el("td", { class: "num dim" }, t.faults),
      el("td", { class: "num dim" }, t.client_errors)));
  }
  totals.append(el("caption", {}, `per minute: ${minute} (the last complete minute); then totals since the recording started`));
}

// ---- the board, refreshed in place ---------------------------------------------------------------------

// Widget boxes by position, with what was drawn in them: a refresh redraws only what changed, and keeps the
// page's scroll, a selection in a log table and the boxes' sizes.
const shown = new Map();
let layoutKey = null;

// Everything is redrawn at the next render (a new time range, a new width); plots are kept until then.
function invalidate() {
  for (const entry of shown.values()) entry.sig = null;
}

function render(doc) {
  last = doc;
  document.getElementById("title").textContent = `${doc.service}: operations (local)`;
  document.getElementById("clock").textContent = `updated ${when(doc.now)}`;
  document.getElementById("stale").hidden = true;
  document.body.removeAttribute("data-stale");
  rangePicker();
  headerCounts(doc);
  routeTable(doc);
  const opened = new Set([...document.querySelectorAll("#incident details[open]")].map((d) => d.closest(".cause").dataset.kind));
  document.getElementById("incident").replaceChildren(incidentView(doc));
  for (const d of document.querySelectorAll("#incident details")) if (opened.has(d.closest(".cause").dataset.kind)) d.open = true;
  const board = document.getElementById("board");
  const key = JSON.stringify(doc.sections.map((s) => [s.title, s.rows.map((r) => r.map((w) => [w.type, w.title]))]));
  if (key !== layoutKey) {
    layoutKey = key;
    for (const entry of shown.values()) if (entry.plot) entry.plot.destroy();
    shown.clear();
    board.replaceChildren();
    doc.sections.forEach((section, si) => {
      if (section.title === doc.incident.title) return; // drawn above, with the console's alarm states
      const block = el("section", { "data-section": section.title || "header" });
      if (section.title) block.append(el("h2", {}, section.title));
      section.rows.forEach((row, ri) => {
        const line = el("div", { class: "row" });
        row.forEach((w, wi) => {
          const cls = { text: `text md${w.transparent ? " transparent" : ""}`, graph: "graph", alarms: "alarms", log: "log" }[w.type];
          const box = widgetBox(w, cls);
          box.dataset.key = `${si}.${ri}.${wi}`;
          line.append(box);
        });
        block.append(line);
      });
      board.append(block);
    });
  }
  const later = [];
  doc.sections.forEach((section, si) => section.rows.forEach((row, ri) => row.forEach((w, wi) => {
    const box = board.querySelector(`[data-key="${si}.${ri}.${wi}"]`);
    if (!box) return;
    const sig = JSON.stringify(w) + (w.type === "graph" ? range + doc.window.end : "");
    const before = shown.get(box.dataset.key);
    if (before && before.sig === sig) return;
    if (w.type === "text") {
      box.innerHTML = markdown(w.markdown);
    } else if (w.type === "graph") {
      later.push(() => {
        if (before && before.plot) before.plot.destroy();
        box.style.minHeight = box.style.minHeight || `${box.offsetHeight}px`; // no jump while redrawing
        shown.set(box.dataset.key, { sig, plot: drawGraph(w, box, doc) });
      });
      return;
    } else if (w.type === "alarms") {
      box.replaceChildren(el("h3", {}, w.title), ...w.alarms.map(alarmChip));
    } else if (w.type === "log") {
      drawLog(w, box);
    }
    shown.set(box.dataset.key, { sig });
  })));
  later.forEach((draw) => draw()); // after layout: graphs take their box's width
  document.body.dataset.rendered = String(doc.now);
}

// The server unreachable: say so loudly, with the age of what is shown; the page keeps polling.
function stale(err) {
  const banner = document.getElementById("stale");
  const age = last ? ` The page shows data from ${when(last.now)} (${ago(Date.now() / 1000 - last.now)} ago).` : "";
  banner.textContent = `Console server unreachable (${err.message || err}): nothing here is current.${age}`;
  banner.hidden = false;
  document.body.dataset.stale = "true";
}

async function refresh() {
  try {
    const response = await fetch("/dashboard.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (err) {
    stale(err);
  }
}

let width = window.innerWidth;
window.addEventListener("resize", () => { // graphs take their box's width: redraw them at the new one
  if (Math.abs(window.innerWidth - width) < 40 || !last) return;
  width = window.innerWidth;
  invalidate();
  render(last);
});

refresh();
setInterval(refresh, REFRESH_MS);

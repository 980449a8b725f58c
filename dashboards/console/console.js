// The local console page: draws /dashboard.json (dashboards/console.py) with uPlot, refreshed every 10 s.
"use strict";

const UNIT_PX = 30; // one CloudWatch height unit
const PLOT_PX = 200; // a graph's canvas: plot area (~150 px) and its time axis; the legend comes below
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
const AXIS_FONT = "11px system-ui, sans-serif";
// The time axis: "fit" (the document's: from the first datapoint to now) or the last N minutes.
const RANGES = [["fit", null], ["15 min", 15], ["1 h", 60], ["3 h", 180]];
let range = new URLSearchParams(location.hash.slice(1)).get("range") || "fit";
let last = null; // the last document drawn, redrawn when the range changes

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Inline Markdown: `code` (taken out first, so nothing inside it is formatted), **bold**, *italics*,
// [links](http(s) or relative; other schemes, e.g. javascript:, stay text).
function inline(text) {
  const codes = [];
  let html = escapeHtml(text).replace(/`([^`]+)`/g, (_, c) => `\u0000${codes.push(c) - 1}\u0000`);
  html = html
    .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, "$1<i>$2</i>")
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|(?![\w+.-]*:))[^)\s]*)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
  return html.replace(/\u0000(\d+)\u0000/g, (_, i) => `<code>${codes[Number(i)]}</code>`);
}

// The dashboard texts' Markdown, line by line: # to ### headings, "- " list items, and paragraphs
// (consecutive lines, ended by a blank line, a heading or a list).
function markdown(text) {
  const out = [];
  let para = [];
  let list = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`);
    if (list.length) out.push(`<ul>${list.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`);
    para = [];
    list = [];
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const item = line.match(/^[-*]\s+(.*)$/);
    if (!line) {
      flush();
    } else if (heading) {
      flush();
      const level = Math.min(heading[1].length, 4);
      out.push(`<h${level + 1}>${inline(heading[2])}</h${level + 1}>`); // h1/h2 are the page's and sections'
    } else if (item) {
      if (para.length) flush();
      list.push(item[1]);
    } else {
      if (list.length) flush();
      para.push(line);
    }
  }
  flush();
  return out.join("");
}

function when(epoch) {
  return epoch ? new Date(epoch * 1000).toLocaleTimeString() : "-";
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
  const d = new Date(epoch * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function alarmChip(a) {
  const state = a.local ? (a.state || "INSUFFICIENT_DATA") : "NONE";
  const label = a.local ? state.replace("INSUFFICIENT_DATA", "NO DATA") : "AWS only";
  return el("div", { class: "alarm", "data-alarm": a.key, "data-state": state, title: a.condition || "" },
    el("span", { class: `chip ${state}` }, label),
    el("span", { class: "key" }, a.severity ? el("span", { class: `severity ${a.severity}` }, a.severity) : "", a.key),
    el("span", { class: "since" }, a.local && a.since ? `since ${hhmm(a.since)}` : ""));
}

function widgetBox(w, cls) {
  const box = el("div", { class: `w ${cls}`, "data-type": w.type });
  box.style.gridColumn = `span ${w.width || 24}`;
  if (w.title) box.append(el("h3", {}, w.title));
  return box;
}

// Threshold lines (alarm and SLO values) across the whole plot, labelled at their right end; each
// drawn line is listed in the box's data-lines (label, colour, y in CSS px from the canvas top).
function thresholdPlugin(lines, box) {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        const { left, top, width, height } = u.bbox;
        const drawn = [];
        ctx.save();
        for (const line of lines) {
          const y = Math.round(u.valToPos(line.value, "y", true));
          if (y < top - 1 || y > top + height + 1) continue;
          ctx.strokeStyle = line.color;
          ctx.fillStyle = line.color;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([8 * devicePixelRatio, 5 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(left, y);
          ctx.lineTo(left + width, y);
          ctx.stroke();
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.textAlign = "right";
          ctx.textBaseline = "bottom";
          ctx.fillText(line.label, left + width - 4, y - 3);
          drawn.push({ label: line.label, color: line.color, y: y / devicePixelRatio });
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

function drawGraph(w, box, win) {
  box.dataset.title = w.title;
  if (w.no_local_source && !w.series.length) {
    box.append(el("div", { class: "none" }, w.no_local_source));
    return null;
  }
  const xs = [...new Set(w.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const data = [xs];
  const series = [{}];
  const peak = { y: 0, r: 0 };
  w.series.forEach((s, i) => {
    const byX = new Map(s.points.map((p) => [p[0], p[1]]));
    const ys = xs.map((x) => (byX.has(x) ? byX.get(x) : null));
    const scale = s.axis === "right" ? "r" : "y";
    peak[scale] = Math.max(peak[scale], ...ys.filter((v) => v !== null));
    data.push(ys);
    series.push({
      label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 2, scale,
      spanGaps: true, // as CloudWatch joins the datapoints it has
      points: { show: (u, si, i0, i1) => i1 - i0 < 90, size: 6 }, // sparse data stays visible
    });
  });
  const lines = w.lines.map((l) => ({ ...l, color: l.color || "#d62728" }));
  for (const line of lines) { // legend entries only: the plugin draws them across the plot
    data.push(xs.map(() => null));
    series.push({ label: line.label, stroke: line.color, dash: [6, 4], width: 2, points: { show: false } });
    peak.y = Math.max(peak.y, line.value);
  }
  const axes = [
    { space: 60, size: 28, font: AXIS_FONT, values: (u, splits) => splits.map(hhmm) },
    { scale: "y", font: AXIS_FONT, values: (u, splits) => splits.map(compact), size: axisWidth },
  ];
  if (w.series.some((s) => s.axis === "right")) {
    axes.push({ scale: "r", side: 1, grid: { show: false }, font: AXIS_FONT,
                values: (u, splits) => splits.map(compact), size: axisWidth });
  }
  const width = Math.max(200, box.clientWidth - 16);
  const top = (hi) => Math.max(1, hi * 1.15); // room above the highest value or line for its label
  const plot = new uPlot({
    width, height: PLOT_PX, series, axes, legend: { live: false }, cursor: { drag: { x: false, y: false } },
    plugins: [thresholdPlugin(lines, box)],
    scales: { x: { time: true, range: () => timeRange(win) },
              y: { range: () => [0, w.left_max || top(peak.y)] },
              r: { range: () => [0, top(peak.r)] } },
  }, data, box);
  box.dataset.points = String(w.series.reduce((n, s) => n + s.points.filter((p) => p[1] !== null).length, 0));
  box.dataset.colors = JSON.stringify(series.slice(1, 1 + w.series.length).map((s) => s.stroke));
  return plot;
}

function drawLog(w, box) {
  if (w.no_local_source) { box.append(el("div", { class: "none" }, w.no_local_source)); return; }
  if (w.error) { box.append(el("div", { class: "none" }, `query ${w.query}: ${w.error}`)); return; }
  const table = el("table", {}, el("tr", {}, ...w.columns.map((c) => el("th", {}, c))));
  for (const row of w.rows.slice(0, 50)) {
    table.append(el("tr", {}, ...row.map((v) => el("td", { class: typeof v === "number" ? "num" : "" }, v ?? ""))));
  }
  box.append(el("div", { class: "since" }, `saved query ${w.query}: ${w.rows.length} rows (local logs)`),
    el("div", { class: "scroll" }, table));
}

function rangePicker() {
  const picker = document.getElementById("range");
  picker.replaceChildren(el("span", { class: "label" }, "time"), ...RANGES.map(([name]) => {
    const button = el("button", { type: "button", "data-range": name, class: name === range ? "on" : "" }, name);
    button.addEventListener("click", () => {
      range = name;
      history.replaceState(null, "", name === "fit" ? location.pathname : `#range=${encodeURIComponent(name)}`);
      if (last) render(last);
    });
    return button;
  }));
}

function render(doc) {
  last = doc;
  document.getElementById("title").textContent = `${doc.service}: operations (local)`;
  document.getElementById("clock").textContent = `updated ${when(doc.now)}`;
  rangePicker();
  const local = doc.alarms.filter((a) => a.local);
  const count = (s) => local.filter((a) => a.state === s).length;
  const missing = local.filter((a) => !a.state || a.state === "INSUFFICIENT_DATA").length;
  const counts = document.getElementById("alarm-counts");
  counts.replaceChildren(
    el("span", {}, el("span", { class: "chip ALARM" }, `${count("ALARM")} ALARM`)),
    el("span", {}, el("span", { class: "chip OK" }, `${count("OK")} OK`)),
    el("span", {}, el("span", { class: "chip INSUFFICIENT_DATA" }, `${missing} no data`)));
  // The alarms that notify (a composite, not the windows it combines): what paged and what ticketed, by name.
  const firing = (sev) => local.filter((a) => a.state === "ALARM" && a.severity === sev).map((a) => a.key);
  const [pages, tickets] = [firing("page"), firing("ticket")];
  document.getElementById("firing").textContent = [
    pages.length ? `paging: ${pages.join(", ")}` : "",
    tickets.length ? `ticketing: ${tickets.join(", ")}` : "",
  ].filter(Boolean).join(" · ");
  const totals = document.getElementById("totals");
  totals.replaceChildren(el("tr", {}, el("th", {}, "route (since recording)"), el("th", { class: "num" }, "requests"),
    el("th", { class: "num" }, "5xx"), el("th", { class: "num" }, "4xx")));
  for (const [route, t] of Object.entries(doc.totals)) {
    totals.append(el("tr", { "data-route": route }, el("td", {}, route), el("td", { class: "num" }, t.requests),
      el("td", { class: `num${t.faults ? " bad" : ""}` }, t.faults), el("td", { class: "num" }, t.client_errors)));
  }
  const board = document.getElementById("board");
  const scroll = window.scrollY;
  board.replaceChildren();
  const later = [];
  for (const section of doc.sections) {
    const block = el("section", { "data-section": section.title || "header" });
    if (section.title) block.append(el("h2", {}, section.title));
    for (const row of section.rows) {
      const line = el("div", { class: "row" });
      for (const w of row) {
        if (w.type === "text") {
          const box = widgetBox(w, `text md${w.transparent ? " transparent" : ""}`);
          box.innerHTML = markdown(w.markdown);
          line.append(box);
        } else if (w.type === "graph") {
          const box = widgetBox(w, "graph");
          line.append(box);
          later.push(() => drawGraph(w, box, doc.window));
        } else if (w.type === "alarms") {
          const box = widgetBox(w, "alarms");
          w.alarms.forEach((a) => box.append(alarmChip(a)));
          line.append(box);
        } else if (w.type === "log") {
          const box = widgetBox(w, "log");
          drawLog(w, box);
          line.append(box);
        }
      }
      block.append(line);
    }
    board.append(block);
  }
  later.forEach((draw) => draw()); // after layout: graphs take their box's width
  window.scrollTo(0, scroll); // a refresh keeps the operator's place
  document.body.dataset.rendered = String(doc.now);
}

async function refresh() {
  try {
    const response = await fetch("/dashboard.json", { cache: "no-store" });
    render(await response.json());
  } catch (err) {
    document.getElementById("clock").textContent = `cannot load /dashboard.json: ${err}`;
  }
}

refresh();
setInterval(refresh, 10000);

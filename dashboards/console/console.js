// The local console page: draws /dashboard.json (dashboards/console.py) with uPlot, refreshed every 10 s.
"use strict";

const UNIT_PX = 30; // one CloudWatch height unit
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// Enough Markdown for the dashboard's texts: headings, bold, italics, code, links, paragraphs.
function markdown(text) {
  return text.split(/\n\s*\n/).map((block) => {
    let html = escapeHtml(block)
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
      .replace(/\*([^*]+)\*/g, "<i>$1</i>")
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>');
    const h = html.match(/^(#{1,3}) (.*)/s);
    if (h) return `<h${h[1].length}>${h[2]}</h${h[1].length}>`;
    return `<p>${html}</p>`;
  }).join("");
}

function when(epoch) {
  return epoch ? new Date(epoch * 1000).toLocaleTimeString() : "-";
}

function alarmChip(a) {
  const state = a.local ? (a.state || "INSUFFICIENT_DATA") : "NONE";
  const label = a.local ? state : "AWS only";
  return el("div", { class: "alarm", "data-alarm": a.key, "data-state": state },
    el("span", { class: `chip ${state}` }, label), el("span", {}, a.key),
    el("span", { class: "since" }, a.local && a.since ? `since ${when(a.since)}` : ""));
}

function widgetBox(w, cls) {
  const box = el("div", { class: `w ${cls}`, "data-type": w.type });
  box.style.gridColumn = `span ${w.width || 24}`;
  box.style.minHeight = `${(w.height || 6) * UNIT_PX}px`;
  if (w.title) box.append(el("h3", {}, w.title));
  return box;
}

function drawGraph(w, box, win) {
  box.dataset.title = w.title;
  if (w.no_local_source && !w.series.length) {
    box.append(el("div", { class: "none" }, w.no_local_source));
    return;
  }
  const xs = [...new Set(w.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const data = [xs];
  const series = [{}];
  w.series.forEach((s, i) => {
    const byX = new Map(s.points.map((p) => [p[0], p[1]]));
    data.push(xs.map((x) => (byX.has(x) ? byX.get(x) : null)));
    series.push({ label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 1.5,
                  scale: s.axis === "right" ? "r" : "y", spanGaps: false, points: { show: xs.length < 40 } });
  });
  for (const line of w.lines) {
    data.push(xs.map(() => line.value));
    series.push({ label: line.label, stroke: line.color, dash: [6, 4], width: 1, points: { show: false } });
  }
  const axes = [{}, { scale: "y", size: 44 }];
  if (w.series.some((s) => s.axis === "right")) axes.push({ scale: "r", side: 1, grid: { show: false }, size: 44 });
  const width = Math.max(200, box.clientWidth - 16);
  const height = Math.max(80, (w.height || 6) * UNIT_PX - 70);
  const max = w.left_max;
  const plot = new uPlot({ width, height, series, axes, legend: { live: false },
    scales: { x: { time: true, range: () => [win.start, win.end] }, y: { range: (u, lo, hi) => [0, max || Math.max(1, hi * 1.1)] },
              r: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } } }, data, box);
  box.dataset.points = String(w.series.reduce((n, s) => n + s.points.filter((p) => p[1] !== null).length, 0));
  return plot;
}

function drawLog(w, box) {
  if (w.no_local_source) { box.append(el("div", { class: "none" }, w.no_local_source)); return; }
  if (w.error) { box.append(el("div", { class: "none" }, `query ${w.query}: ${w.error}`)); return; }
  const table = el("table", {}, el("tr", {}, ...w.columns.map((c) => el("th", {}, c))));
  for (const row of w.rows.slice(0, 50)) {
    table.append(el("tr", {}, ...row.map((v) => el("td", { class: typeof v === "number" ? "num" : "" }, v ?? ""))));
  }
  box.append(el("div", { class: "since" }, `saved query ${w.query}: ${w.rows.length} rows (local logs)`), table);
}

function render(doc) {
  document.getElementById("title").textContent = `${doc.service}: operations (local)`;
  document.getElementById("clock").textContent = `updated ${when(doc.now)}`;
  const local = doc.alarms.filter((a) => a.local);
  const count = (s) => local.filter((a) => a.state === s).length;
  const counts = document.getElementById("alarm-counts");
  counts.replaceChildren(
    el("span", {}, el("span", { class: "chip ALARM" }, `${count("ALARM")} ALARM`)),
    el("span", {}, el("span", { class: "chip OK" }, `${count("OK")} OK`)),
    el("span", {}, el("span", { class: "chip INSUFFICIENT_DATA" }, `${count("INSUFFICIENT_DATA")} no data`)));
  const totals = document.getElementById("totals");
  totals.replaceChildren(el("tr", {}, el("th", {}, "route (since recording)"), el("th", {}, "requests"),
    el("th", {}, "5xx"), el("th", {}, "4xx")));
  for (const [route, t] of Object.entries(doc.totals)) {
    totals.append(el("tr", { "data-route": route }, el("td", {}, route), el("td", { class: "num" }, t.requests),
      el("td", { class: "num" }, t.faults), el("td", { class: "num" }, t.client_errors)));
  }
  const board = document.getElementById("board");
  board.replaceChildren();
  const later = [];
  for (const section of doc.sections) {
    const block = el("section", { "data-section": section.title || "header" });
    if (section.title) block.append(el("h2", {}, section.title));
    for (const row of section.rows) {
      const line = el("div", { class: "row" });
      for (const w of row) {
        if (w.type === "text") {
          const box = widgetBox({ ...w, height: Math.min(w.height, 3) }, "text md");
          box.innerHTML = markdown(w.markdown);
          box.style.minHeight = "0";
          line.append(box);
        } else if (w.type === "graph") {
          const box = widgetBox(w, "graph");
          line.append(box);
          later.push(() => drawGraph(w, box, doc.window));
        } else if (w.type === "alarms") {
          const box = widgetBox(w, "alarms");
          box.style.minHeight = "0";
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

// Markdown for the console's texts and its RUNBOOK.md page: headings, paragraphs, "- " and "1. " lists, pipe
// tables, inline code, bold, italics and http(s)/relative links. Raw HTML is escaped, but for the anchor lines
// RUNBOOK.md uses (<a id="kind"></a>), which become anchors.
"use strict";

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

// Markdown, line by line: # to ###### headings, "- " and "1. " list items, pipe tables, anchor lines and
// paragraphs (consecutive lines, ended by a blank line, a heading, a list or a table).
function markdown(text) {
  const out = [];
  let para = [];
  let list = [];
  let ordered = false;
  let table = [];
  let comment = false;
  const cells = (line) => line.replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) => inline(c.trim().replace(/\\\|/g, "|")));
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`);
    if (list.length) {
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${list.map((i) => `<li>${inline(i)}</li>`).join("")}</${tag}>`);
    }
    if (table.length) {
      const [head, , ...body] = table;
      const rows = body.map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join("")}</tr>`).join("");
      out.push(`<div class="scroll"><table class="md-table"><tr>${cells(head).map((c) => `<th>${c}</th>`).join("")}</tr>${rows}</table></div>`);
    }
    para = [];
    list = [];
    table = [];
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (comment || line.startsWith("<!--")) { // comments (RUNBOOK.md's "generated" note) are not shown
      if (!comment) flush();
      comment = !line.includes("-->");
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const item = line.match(/^[-*]\s+(.*)$/);
    const numbered = line.match(/^\d+\.\s+(.*)$/);
    const anchor = line.match(/^<a id="([\w-]+)"><\/a>$/);
    if (!line) {
      flush();
    } else if (anchor) {
      flush();
      out.push(`<a id="${anchor[1]}"></a>`);
    } else if (line.startsWith("|")) {
      if (!table.length) flush();
      table.push(line);
    } else if (heading) {
      flush();
      const level = Math.min(heading[1].length, 4);
      out.push(`<h${level + 1}>${inline(heading[2])}</h${level + 1}>`); // h1/h2 are the page's and sections'
    } else if (item || numbered) {
      if (para.length || table.length || (list.length && ordered !== Boolean(numbered))) flush();
      ordered = Boolean(numbered);
      list.push((item || numbered)[1]);
    } else if (list.length && /^\S/.test(raw) === false) {
      list[list.length - 1] += ` ${line}`; // a continued list item
    } else {
      if (list.length || table.length) flush();
      para.push(line);
    }
  }
  flush();
  return out.join("");
}

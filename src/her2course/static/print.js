// Print preparation for every page of the static book. Just before the page prints, closed <details> (dropdowns,
// the gallery's key) open, and close again afterwards. On pages with quizzes, every quiz fallback
// (<div class="her2-quiz" data-spec='...'>) gets a paper version after it (questions with answer boxes) and the
// article ends with the answers and rationales. Both are hidden on screen (her2course.css, .her2-print-only) and
// the interactive quiz is hidden in print. Reads only the spec: the quiz engine (quiz.js) is not involved.
// Loaded as a module on every page; tools/pdf.py calls window.her2course.preparePrint() itself.
// Safety: spec fields named html, stem, rationale and explanation hold HTML that Python already sanitised;
// every other field is escaped.

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const BOX = '<span class="her2-qp-box" aria-hidden="true"></span>';
const LINE = '<span class="her2-qp-line"></span>';

const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const letter = (i) => (i < LETTERS.length ? LETTERS[i] : String(i + 1));
const html = (v) => (typeof v === "string" ? v : "");

function options(list) {
  return `<ol class="her2-qp-options">${(list || []).map((o, i) =>
    `<li><span class="her2-qp-letter">${letter(i)}.</span> ${BOX} ${html(o.html)}</li>`).join("")}</ol>`;
}

function shownOrder(item) {
  const byId = Object.fromEntries((item.options || []).map((o) => [o.id, o]));
  const shown = (item.display || []).filter((id) => id in byId);
  return shown.length ? shown : Object.keys(byId);
}

// A trend item's data: a table of values over time (plain text cells, escaped).
function dataTable(data) {
  if (!data || typeof data !== "object") return "";
  const cols = Array.isArray(data.columns) ? data.columns : [];
  const rows = (Array.isArray(data.rows) ? data.rows : []).filter(Array.isArray).map((r) =>
    `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join("")}</tr>`);
  return `<table class="her2-qp-matrix her2-qp-data"><caption>${esc(data.caption)}</caption><thead><tr>` +
    `${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

// The passage of a cloze, drop-down rationale or highlight item, with each placeholder drawn by fill(id).
const passage = (item, fill) => (item.parts || []).map((p) => ("html" in p ? html(p.html) : fill(p.blank))).join("");

function question(item) {
  const out = [`<div class="her2-qp-stem">${html(item.stem)}</div>`, dataTable(item.data),
    `<p class="her2-qp-instruction">${esc(item.instruction)}</p>`];
  switch (item.type) {
    case "single":
    case "sata":
      out.push(options(item.options));
      break;
    case "numeric":
      out.push(`<p class="her2-qp-write">Answer: ${LINE} ${esc(item.answer?.unit)}</p>`);
      break;
    case "ordered": {
      const byId = Object.fromEntries((item.options || []).map((o) => [o.id, o]));
      out.push(options(shownOrder(item).map((id) => byId[id])),
        `<p class="her2-qp-write">Order (letters, first to last): <span class="her2-qp-line her2-qp-line-long"></span></p>`);
      break;
    }
    case "matrix": {
      const cols = item.columns || [];
      const head = cols.map((c) => `<th scope="col">${html(c.html)}</th>`).join("");
      const rows = (item.rows || []).map((r) =>
        `<tr><th scope="row">${html(r.html)}</th>${cols.map(() => `<td>${BOX}</td>`).join("")}</tr>`).join("");
      out.push(`<table class="her2-qp-matrix"><thead><tr><td></td>${head}</tr></thead><tbody>${rows}</tbody></table>`);
      break;
    }
    case "cloze":
    case "dropdown_rationale": {
      const order = Object.fromEntries((item.blanks || []).map((b, i) => [b.id, i + 1]));
      const text = passage(item, (id) => `<span class="her2-qp-blank">(${esc(order[id] ?? "?")}) ${LINE}</span>`);
      out.push(`<p class="her2-qp-cloze">${text}</p>`);
      (item.blanks || []).forEach((b, i) =>
        out.push(`<p class="her2-qp-group">Blank (${i + 1}): choose one</p>`, options(b.options)));
      break;
    }
    case "bowtie":
      for (const g of item.groups || []) {
        out.push(`<p class="her2-qp-group">${esc(g.label)}: choose ${esc(g.choose)}</p>`, options(g.options));
      }
      break;
    case "highlight":
      if (item.table) {
        const t = item.table;
        const rows = (t.rows || []).map((r, i) => `<tr><td>${BOX} ${letter(i)}</td>` +
          `${(r.cells || []).map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("");
        out.push(`<p class="her2-qp-note">Tick each row that matters.</p><table class="her2-qp-matrix"><caption>` +
          `${esc(t.caption)}</caption><thead><tr><th scope="col">Row</th>` +
          `${(t.columns || []).map((c) => `<th scope="col">${esc(c)}</th>`).join("")}</tr></thead><tbody>${rows}` +
          "</tbody></table>");
      } else {
        const pos = Object.fromEntries((item.spans || []).map((sp, i) => [sp.id, i]));
        const spans = Object.fromEntries((item.spans || []).map((sp) => [sp.id, sp]));
        out.push('<p class="her2-qp-note">Underline each part that matters (or tick its letter).</p>',
          `<p class="her2-qp-cloze">${passage(item, (id) => `<span class="her2-qp-span">[${letter(pos[id] ?? 0)}] ` +
            `${html(spans[id]?.html)}</span>`)}</p>`,
          options(item.spans));
      }
      break;
    case "matrix_multi": {
      const cols = item.columns || [];
      const head = cols.map((c) => `<th scope="col">${html(c.html)}</th>`).join("");
      const rows = (item.rows || []).map((r) =>
        `<tr><th scope="row">${html(r.html)}</th>${cols.map(() => `<td>${BOX}</td>`).join("")}</tr>`).join("");
      out.push('<p class="her2-qp-note">Tick every box that applies in each row.</p>',
        `<table class="her2-qp-matrix"><thead><tr><td></td>${head}</tr></thead><tbody>${rows}</tbody></table>`);
      break;
    }
    default:
      break;
  }
  return out.join("");
}

const li = (mark, lead, rationale) =>
  `<li><span class="her2-qp-mark">${mark}</span> ${lead}<div class="her2-qp-rationale">${html(rationale)}</div></li>`;

function answer(item) {
  const out = [];
  switch (item.type) {
    case "single":
    case "sata": {
      const opts = item.options || [];
      const right = opts.map((o, i) => (o.correct ? letter(i) : null)).filter(Boolean).join(", ");
      out.push(`<p class="her2-qp-key">Answer: ${right}</p><ul>`,
        ...opts.map((o, i) => li(o.correct ? "\u2714 Correct:" : "\u2716 Not correct:",
          `${letter(i)}. ${html(o.html)}`, o.rationale)), "</ul>");
      break;
    }
    case "numeric": {
      const a = item.answer || {};
      out.push(`<p class="her2-qp-key">Answer: ${esc(a.value)} ${esc(a.unit)}. ${esc(a.rounding)}</p>`,
        html(item.rationale));
      if ((item.distractors || []).length) {
        out.push('<p class="her2-qp-group">Common slips:</p><ul>',
          ...item.distractors.map((d) => li("\u2716", `${esc(d.value)} ${esc(a.unit)}:`, d.rationale)), "</ul>");
      }
      break;
    }
    case "ordered": {
      const pos = Object.fromEntries(shownOrder(item).map((id, i) => [id, letter(i)]));
      const opts = item.options || [];
      out.push(`<p class="her2-qp-key">Answer (first to last): ${opts.map((o) => pos[o.id] ?? "?").join(", ")}</p><ol>`,
        ...opts.map((o, i) => li(`Step ${i + 1}:`, `${pos[o.id] ?? "?"}. ${html(o.html)}`, o.rationale)), "</ol>");
      break;
    }
    case "matrix": {
      const cols = Object.fromEntries((item.columns || []).map((c) => [c.id, c]));
      out.push('<p class="her2-qp-key">Answer:</p><ul>', ...(item.rows || []).map((r) =>
        li("\u2192", `${html(r.html)}: <strong>${html(cols[r.answer]?.html)}</strong>`, r.rationale)), "</ul>");
      break;
    }
    case "cloze":
    case "dropdown_rationale":
      out.push('<p class="her2-qp-key">Answer:</p><ul>');
      (item.blanks || []).forEach((b, n) => (b.options || []).forEach((o, i) => {
        if (o.correct) out.push(li(`Blank (${n + 1}):`, `${letter(i)}. ${html(o.html)}`, o.rationale));
      }));
      out.push("</ul>");
      break;
    case "bowtie":
      out.push('<p class="her2-qp-key">Answer:</p><ul>');
      for (const g of item.groups || []) {
        (g.options || []).forEach((o, i) => {
          if (o.correct) out.push(li(`${esc(g.label)}:`, `${letter(i)}. ${html(o.html)}`, o.rationale));
        });
      }
      out.push("</ul>");
      break;
    case "highlight": {
      const parts = item.table ? item.table.rows || [] : item.spans || [];
      const right = parts.map((o, i) => (o.correct ? letter(i) : null)).filter(Boolean).join(", ");
      out.push(`<p class="her2-qp-key">Answer: ${right}</p><ul>`,
        ...parts.map((o, i) => li(o.correct ? "\u2714 Select:" : "\u2716 Leave:", `${letter(i)}. ${html(o.html)}`,
          o.rationale)), "</ul>");
      break;
    }
    case "matrix_multi": {
      const cols = Object.fromEntries((item.columns || []).map((c) => [c.id, c]));
      out.push('<p class="her2-qp-key">Answer:</p><ul>', ...(item.rows || []).map((r) =>
        li("\u2192", `${html(r.html)}: <strong>${(r.answers || []).map((a) => html(cols[a]?.html)).join(", ")}</strong>`,
          r.rationale)), "</ul>");
      break;
    }
    default:
      break;
  }
  out.push(`<div class="her2-qp-explain">${html(item.explanation)}</div>`);
  if (item.sources) out.push(`<p class="her2-qp-source">Source: ${esc(item.sources)}</p>`);
  return out.join("");
}

const safeId = (s) => String(s || "quiz").replace(/[^A-Za-z0-9_-]+/g, "-");

export function printForms(spec) {
  const items = spec.items || [];
  const title = esc(spec.title || "Quiz");
  const qid = safeId(spec.id);
  const count = `${items.length} question${items.length === 1 ? "" : "s"}`;
  const num = (it, n) => esc(it.number ?? n + 1);
  const form = `<div class="her2-quiz-print her2-print-only" data-quiz="${qid}">` +
    `<p class="her2-qp-title">${title}: ${count}</p><ol class="her2-qp-items">` +
    items.map((it, n) => `<li class="her2-qp-item" value="${num(it, n)}">${question(it)}</li>`).join("") +
    `</ol><p class="her2-qp-note">Answers and rationales: see \u201cAnswers: ${title}\u201d at the end of this ` +
    "chapter (in the book PDF, in the appendix).</p></div>";
  const key = `<section class="her2-quiz-answers" id="answers-${qid}" data-quiz="${qid}">` +
    `<h3>Answers: ${title}</h3><ol class="her2-qp-items">` +
    items.map((it, n) => `<li class="her2-qp-item" value="${num(it, n)}">${answer(it)}</li>`).join("") +
    "</ol></section>";
  return { form, key };
}

export function renderPrintForms(root = document) {
  if (root.querySelector(".her2-print-answers")) return;
  const keys = [];
  for (const host of root.querySelectorAll("div.her2-quiz[data-spec]")) {
    try {
      const { form, key } = printForms(JSON.parse(host.getAttribute("data-spec")));
      host.insertAdjacentHTML("afterend", form);
      keys.push(key);
    } catch (err) {
      console.warn("her2course print form:", err);
    }
  }
  if (!keys.length) return;
  const h1 = root.querySelector("article h1, h1");
  const title = h1 ? h1.textContent.replace(/#$/, "").trim() : "";
  const box = document.createElement("div");
  box.className = "her2-print-answers her2-print-only";
  box.innerHTML = `<h2>Answers and rationales${title ? `: ${esc(title)}` : ""}</h2>${keys.join("")}`;
  (root.querySelector("article.bd-article") || document.body).append(box);
}

export function preparePrint(root = document) {
  for (const d of root.querySelectorAll("details:not([open])")) {
    d.open = true;
    d.setAttribute("data-her2-print-opened", "");
  }
  for (const stage of root.querySelectorAll(".her2-case-stage[hidden]")) {  // an unfolding case prints whole
    stage.hidden = false;
    stage.setAttribute("data-her2-print-hidden", "");
  }
  renderPrintForms(root);
}

export function afterPrint(root = document) {
  for (const d of root.querySelectorAll("details[data-her2-print-opened]")) {
    d.open = false;
    d.removeAttribute("data-her2-print-opened");
  }
  for (const stage of root.querySelectorAll(".her2-case-stage[data-her2-print-hidden]")) {
    stage.hidden = true;
    stage.removeAttribute("data-her2-print-hidden");
  }
}

window.her2course = Object.assign(window.her2course || {}, { preparePrint, renderPrintForms });
window.addEventListener("beforeprint", () => preparePrint());
window.addEventListener("afterprint", () => afterPrint());

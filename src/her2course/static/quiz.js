// her2course quiz front end: one self-contained ES module (no imports, CSS inlined) that serves both the live
// anywidget in Jupyter (export default { render }) and the static book, where mount.js mounts it on every
// <div class="her2-quiz" data-spec=...> with a localStorage stand-in for the widget model.
// Grading mirrors src/her2course/quiz/grading.py; both run tests/quiz_vectors.json.
// Safety: spec fields named html, stem, rationale and explanation hold HTML that Python already sanitised
// (markdown-it-py + nh3); anything the learner types is only ever set with textContent.
// Assignment mode (spec.mode === "assignment"): the spec carries no key (no correct flags, rationales or answer
// values), so the quiz only saves answers ("Save answer", "Change answer") and shows whether the kernel stored
// them (model "saved"); the kernel grades. In every mode a non-empty model "save_error" is shown once, at the top.

// ------------------------------------------------------------------------------------------------ grading

const NOT_AN_OPTION = "That answer is not one of the options. Choose again.";
const NUMBER_HINT = "Type a number, for example 5.4 (a comma for the decimal point also works).";
const EMPTY = "Type your answer before checking.";
const NOT_A_NUMBER = `That is not a number. ${NUMBER_HINT}`;
const MAX_ANSWER_LENGTH = 100;
const TOO_LONG = `That answer is too long to read as a number (more than ${MAX_ANSWER_LENGTH} characters). ` +
  "Type the number only, for example 5.4.";
const EPS = 1e-9;
const LQ = "\u201c";
const RQ = "\u201d";
// The white space both graders trim and ignore in units (grading.py WHITESPACE: Python's isspace() and
// JavaScript's \s, united and spelled out).
const WHITESPACE = "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" +
  "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
const WHITESPACE_RUN = new RegExp(`[${WHITESPACE}]+`, "g");

// Own properties only: ids such as "constructor" or "__proto__" are data, never Object.prototype's members.
const own = (obj, key) => (Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined);
// A lookup table without a prototype, from [key, value] pairs.
export function dict(pairs = []) {
  const out = Object.create(null);
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

export function maxScore(item) {
  switch (item.type) {
    case "sata": return item.options.filter((o) => o.correct).length;
    case "matrix": return item.rows.length;
    case "cloze": return item.blanks.length;
    case "bowtie": return item.groups.reduce((n, g) => n + g.choose, 0);
    case "highlight": return highlightParts(item).filter((p) => p.correct).length;
    case "matrix_multi": return item.rows.reduce((n, r) => n + (r.answers || []).length, 0);
    case "dropdown_rationale": return item.blanks.length - 1;
    default: return 1;
  }
}

// The selectable parts of a highlight item: the rows of its table, or the spans of its text (listed in text order).
const highlightParts = (item) => (item.table ? item.table.rows : item.spans || []);

const invalid = (max, message) => ({ status: "invalid", score: 0, max, message, marks: [] });

function scored(score, max, marks) {
  const s = Math.max(0, Math.min(score, max));
  const status = s === max ? "correct" : s > 0 ? "partial" : "incorrect";
  return { status, score: s, max, message: "", marks };
}

const isStrList = (v) => Array.isArray(v) && v.every((x) => typeof x === "string");
const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const mark = (key, correct) => ({ key, correct });
// The option id given for one row, blank or group: own properties only, and only a string counts.
const choiceOf = (answers, key) => { const v = own(answers, key); return typeof v === "string" ? v : null; };

function stripWhitespace(s) {
  let a = 0;
  let b = s.length;
  while (a < b && WHITESPACE.includes(s[a])) a += 1;
  while (b > a && WHITESPACE.includes(s[b - 1])) b -= 1;
  return s.slice(a, b);
}

// Linear in the length of the text (unambiguous patterns) and capped: mirrors grading.parse_number.
const fail = (message) => ({ value: null, unit: "", message });

export function parseNumber(text) {
  if (typeof text === "number") return Number.isFinite(text) ? { value: text, unit: "", message: "" } : fail(NOT_A_NUMBER);
  if (typeof text !== "string") return fail(EMPTY);
  const s = stripWhitespace(text).replace(/\u2212/g, "-");
  if (!s) return fail(EMPTY);
  if (s.length > MAX_ANSWER_LENGTH) return fail(TOO_LONG);
  return readNumber(s);
}

// The reading itself, on trimmed non-empty text, without the length cap (tests run it on very long text).
export function readNumber(s) {
  const m = /^([+-]?)([0-9.,]+)[ \t]*([\s\S]*)$/.exec(s);
  if (!m || !/[0-9]/.test(m[2])) return fail(NOT_A_NUMBER);
  const sign = m[1] === "-" ? "-" : "";
  let raw = m[2];
  const unit = stripWhitespace(m[3]);
  const grouped = /^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$/;
  const commas = raw.split(",").length - 1;
  if (raw.includes(",") && raw.includes(".")) {
    if (!grouped.test(raw)) {
      return fail("That number mixes commas and points in a way that cannot be read. " +
        "Use one decimal point and no thousands separator, for example 1250.5.");
    }
    raw = raw.replace(/,/g, "");
  } else if (commas > 1) {
    if (!grouped.test(raw)) return fail(NOT_A_NUMBER);
    raw = raw.replace(/,/g, "");
  } else if (commas === 1) {
    const [whole, frac] = raw.split(",");
    if (frac.length === 3 && whole !== "" && whole !== "0") {
      return fail(`${LQ}${raw}${RQ} could mean ${whole}${frac} or ${whole}.${frac}. ` +
        "Type it without the comma, or with a point for decimals.");
    }
    raw = raw.replace(",", ".");
  }
  if (!/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(raw)) return fail(NOT_A_NUMBER);
  return { value: parseFloat(sign + raw), unit, message: "" };
}

const unitKey = (u) => u.replace(WHITESPACE_RUN, "").toLowerCase().replace(/[\u00b5\u03bc]/g, "u");

function gradeNumeric(item, response) {
  const p = parseNumber(response);
  if (p.value === null) return invalid(1, p.message);
  const a = item.answer;
  if (p.unit) {
    const ok = new Set([a.unit || "", ...(a.unit_aliases || [])].filter(Boolean).map(unitKey));
    if (!ok.has(unitKey(p.unit))) {
      if (!a.unit) return invalid(1, `Type the number only, without ${LQ}${p.unit}${RQ}.`);
      return invalid(1, `This answer is asked in ${a.unit}; you typed ${LQ}${p.unit}${RQ}. Type the number in ${a.unit}.`);
    }
  }
  if (!Number.isFinite(p.value)) return invalid(1, NOT_A_NUMBER);
  if (Math.abs(p.value - a.value) <= a.tolerance + EPS) return scored(1, 1, []);
  const marks = [];
  (item.distractors || []).forEach((d, i) => {
    if (Math.abs(p.value - d.value) <= a.tolerance + EPS) marks.push(mark(`d${i + 1}`, false));
  });
  return scored(0, 1, marks.slice(0, 1));
}

// Select-all scoring: +1 per right choice, -1 per wrong one, never below 0 (sata, highlight).
function plusMinus(options, response, top, empty) {
  if (response !== null && response !== undefined && !isStrList(response)) return invalid(top, NOT_AN_OPTION);
  const chosen = new Set(response || []);
  if (chosen.size === 0) return invalid(top, empty);
  const ids = new Set(options.map((o) => o.id));
  if ([...chosen].some((c) => !ids.has(c))) return invalid(top, NOT_AN_OPTION);
  const marks = options.filter((o) => chosen.has(o.id)).map((o) => mark(o.id, !!o.correct));
  return scored(marks.reduce((n, m) => n + (m.correct ? 1 : -1), 0), top, marks);
}

const sameMembers = (a, b) => {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
};

// Total, like grading.grade: any JSON value gives a result; a response of the wrong shape is "invalid".
export function grade(item, response) {
  const top = maxScore(item);
  switch (item.type) {
    case "single": {
      if (response === null || response === undefined || response === "" ||
          (Array.isArray(response) && response.length === 0)) return invalid(top, "Choose an answer before checking.");
      const opt = typeof response === "string" ? item.options.find((o) => o.id === response) : undefined;
      if (!opt) return invalid(top, NOT_AN_OPTION);
      return scored(opt.correct ? 1 : 0, top, [mark(opt.id, !!opt.correct)]);
    }
    case "sata":
      return plusMinus(item.options, response, top, "Select at least one option before checking.");
    case "highlight":
      return plusMinus(highlightParts(item), response, top, "Select at least one part before checking.");
    case "numeric":
      return gradeNumeric(item, response);
    case "ordered": {
      const ids = item.options.map((o) => o.id);
      if (!isStrList(response) || !sameMembers(response, ids)) {
        return invalid(top, "Place every step in the list before checking.");
      }
      const marks = response.map((step, i) => mark(step, step === ids[i]));
      return scored(marks.every((m) => m.correct) ? 1 : 0, top, marks);
    }
    case "matrix": {
      const answers = isMap(response) ? response : {};
      const cols = new Set(item.columns.map((c) => c.id));
      const done = item.rows.filter((r) => cols.has(choiceOf(answers, r.id))).length;
      if (done < item.rows.length) {
        return invalid(top, `Choose one answer in every row (${done} of ${item.rows.length} done).`);
      }
      const marks = item.rows.map((r) => mark(r.id, choiceOf(answers, r.id) === r.answer));
      return scored(marks.filter((m) => m.correct).length, top, marks);
    }
    case "matrix_multi": {
      const answers = isMap(response) ? response : {};
      const cols = new Set(item.columns.map((c) => c.id));
      const picked = new Map();
      for (const r of item.rows) {
        const given = own(answers, r.id);
        if (!isStrList(given) || given.length === 0) continue;
        if (given.some((c) => !cols.has(c))) return invalid(top, NOT_AN_OPTION);
        picked.set(r.id, new Set(given));
      }
      if (picked.size < item.rows.length) {
        return invalid(top, `Choose at least one answer in every row (${picked.size} of ${item.rows.length} done).`);
      }
      const marks = [];
      let score = 0;
      for (const r of item.rows) {
        const row = item.columns.filter((c) => picked.get(r.id).has(c.id))
          .map((c) => mark(`${r.id}:${c.id}`, (r.answers || []).includes(c.id)));
        marks.push(...row);
        score += Math.max(0, row.reduce((n, m) => n + (m.correct ? 1 : -1), 0));
      }
      return scored(score, top, marks);
    }
    case "cloze":
    case "dropdown_rationale": {
      const answers = isMap(response) ? response : {};
      const marks = [];
      for (const b of item.blanks) {
        const given = choiceOf(answers, b.id);
        const choice = b.options.find((o) => o.id === given);
        if (choice) marks.push(mark(choice.id, !!choice.correct));
      }
      if (marks.length < item.blanks.length) {
        return invalid(top, `Choose an option for every blank (${marks.length} of ${item.blanks.length} done).`);
      }
      if (item.type === "dropdown_rationale") {  // rationale scoring: the claim pairs with each reason
        const [claim, ...reasons] = marks;
        return scored(reasons.filter((m) => claim.correct && m.correct).length, top, marks);
      }
      return scored(marks.filter((m) => m.correct).length, top, marks);
    }
    case "bowtie": {
      const answers = isMap(response) ? response : {};
      const marks = [];
      for (const g of item.groups) {
        const given = own(answers, g.id);
        const picked = new Set(isStrList(given) ? given : []);
        const valid = new Set(g.options.map((o) => o.id));
        if ([...picked].some((p) => !valid.has(p))) return invalid(top, NOT_AN_OPTION);
        if (picked.size !== g.choose) {
          return invalid(top, `Choose ${g.choose} for ${LQ}${g.label}${RQ} (${picked.size} chosen).`);
        }
        for (const o of g.options) if (picked.has(o.id)) marks.push(mark(o.id, !!o.correct));
      }
      return scored(marks.filter((m) => m.correct).length, top, marks);
    }
    default:
      throw new TypeError(`unknown item type ${item.type}`);
  }
}

// Feedback for a number that is wrong and matches no known slip: how it differs from the answer (a rounding slip,
// a factor of 10, a unit mix-up) without giving the answer away.
export function numericHint(item, value) {
  const a = item.answer || {};
  if (typeof value !== "number" || !Number.isFinite(value) || typeof a.value !== "number") return "";
  const diff = Math.abs(value - a.value);
  // a ratio within 2% of a factor counts as that factor
  const near = (x, y) => Math.abs(x - y) <= 0.02 * Math.abs(y);
  const rounding = a.rounding ? ` The rule here: ${a.rounding}` : "";
  if (value !== 0 && a.value !== 0 && Math.sign(value) === Math.sign(a.value)) {
    const ratio = Math.abs(value / a.value);
    for (const [factor, what] of [[1000, "1000"], [100, "100"], [10, "10"]]) {
      if (near(ratio, factor) || near(1 / ratio, factor)) {
        return `Your answer is about ${what} times too ${ratio > 1 ? "large" : "small"}: check the decimal point and ` +
          "the units (mg or g, mcg or mg, mL or L)." + (a.unit ? ` The answer is asked in ${a.unit}.` : "");
      }
    }
    if (near(ratio, 2.2) || near(1 / ratio, 2.2)) {
      return "Your answer is off by a factor of about 2.2: check that the weight is in kilograms, not pounds.";
    }
    if (near(ratio, 60) || near(1 / ratio, 60)) {
      return "Your answer is off by a factor of about 60: check minutes against hours in the rate.";
    }
  }
  if (diff <= Math.max(10 * (Number(a.tolerance) || 0), 0.01 * Math.abs(a.value))) {
    return `Close, but outside the accepted range: check your rounding (round once, at the end).${rounding}`;
  }
  return "Not close to the answer: set the calculation out step by step with the units, and check each number " +
    "you took from the question.";
}

const STATUSES = ["correct", "partial", "incorrect"];

// One item's saved state, as render() uses it: {response, attempts, checked, revealed, last}. Anything else in a
// stored entry is ignored. A checked answer is graded again (one that no longer grades, malformed or from a changed
// item, is unchecked); the last result kept after "Try again" counts only as a whole number within [0, max].
export function restoreEntry(item, entry) {
  const e = isMap(entry) ? entry : {};
  const attempts = own(e, "attempts");
  const s = {
    response: own(e, "response") ?? null,
    attempts: Number.isSafeInteger(attempts) && attempts >= 0 ? attempts : 0,
    checked: own(e, "checked") === true,
    revealed: own(e, "revealed") === true,
  };
  const last = own(e, "last");
  if (s.checked) {
    const result = grade(item, s.response);
    if (result.status === "invalid") s.checked = false;
    else s.last = { score: result.score, status: result.status };
  } else if (isMap(last) && Number.isSafeInteger(own(last, "score")) && STATUSES.includes(own(last, "status"))) {
    s.last = { score: Math.max(0, Math.min(own(last, "score"), maxScore(item))), status: own(last, "status") };
  }
  return s;
}

// ------------------------------------------------------------------------------------------------ styles

const CSS = `
.h2q{--h2q-fg:#1b1b1b;--h2q-bg:#fff;--h2q-muted:#4a4a4a;--h2q-border:#6e6e6e;--h2q-soft:#f3f4f6;
--h2q-accent:#0b5cad;--h2q-on-accent:#fff;--h2q-focus:#0b5cad;--h2q-ok:#00694a;--h2q-ok-bg:#e7f5ee;
--h2q-bad:#a3260b;--h2q-bad-bg:#fcebe6;--h2q-part:#7a4a00;--h2q-part-bg:#fff3dc;--h2q-info:#0b4f94;--h2q-info-bg:#e8f0fa;
color:var(--h2q-fg);background:var(--h2q-bg);border:1px solid var(--h2q-border);border-radius:8px;
padding:0.75rem;margin:1rem 0;font-size:1rem;line-height:1.5;max-width:100%;box-sizing:border-box;overflow-wrap:anywhere}
html[data-theme="dark"] .h2q,body[data-jp-theme-light="false"] .h2q{--h2q-fg:#ececec;--h2q-bg:#1c1f24;
--h2q-muted:#c0c4cc;--h2q-border:#9aa0a8;--h2q-soft:#2a2e35;--h2q-accent:#8cc4ff;--h2q-on-accent:#0b1a2b;--h2q-focus:#ffd166;
--h2q-ok:#72dcb2;--h2q-ok-bg:#173a2e;--h2q-bad:#ffa38a;--h2q-bad-bg:#41221a;--h2q-part:#f5c46b;--h2q-part-bg:#3b2f14;
--h2q-info:#9ccaff;--h2q-info-bg:#1b2b40}
@media (prefers-color-scheme:dark){html:not([data-theme]) body:not([data-jp-theme-light]) .h2q{--h2q-fg:#ececec;
--h2q-bg:#1c1f24;--h2q-muted:#c0c4cc;--h2q-border:#9aa0a8;--h2q-soft:#2a2e35;--h2q-accent:#8cc4ff;--h2q-on-accent:#0b1a2b;
--h2q-focus:#ffd166;--h2q-ok:#72dcb2;--h2q-ok-bg:#173a2e;--h2q-bad:#ffa38a;--h2q-bad-bg:#41221a;--h2q-part:#f5c46b;
--h2q-part-bg:#3b2f14;--h2q-info:#9ccaff;--h2q-info-bg:#1b2b40}}
.h2q *{box-sizing:border-box}
.h2q p{margin:0.4rem 0}
.h2q a{color:var(--h2q-info)}
.h2q-top{display:flex;flex-wrap:wrap;gap:0.5rem;align-items:center;justify-content:space-between;margin-bottom:0.5rem}
.h2q-title{font-weight:700;font-size:1.1rem;margin:0}
.h2q-score{font-weight:600;margin:0}
.h2q-note{color:var(--h2q-muted);font-size:0.9rem}
.h2q-item{border-top:1px solid var(--h2q-border);padding:0.75rem 0;scroll-margin-top:4rem}
.h2q fieldset{border:0;margin:0;padding:0;min-width:0}
.h2q legend{padding:0;font-weight:700;display:flex;flex-wrap:wrap;gap:0.25rem 0.75rem;font-size:1rem;line-height:1.5;
margin:0;float:none;width:auto}
.h2q-instr{font-weight:400;color:var(--h2q-muted)}
.h2q-stem{margin:0.35rem 0 0.5rem}
.h2q-opt{display:flex;align-items:flex-start;gap:0.5rem;padding:0.3rem 0.4rem;border-radius:6px;flex-wrap:wrap}
.h2q-opt:hover{background:var(--h2q-soft)}
.h2q-opt label{flex:1 1 0;min-width:6rem;cursor:pointer}
.h2q-opt .h2q-badge{flex-basis:100%;padding-left:2rem}
.h2q input[type=radio],.h2q input[type=checkbox]{width:1.5rem;height:1.5rem;margin:0;flex:none;accent-color:var(--h2q-accent)}
.h2q input[type=text],.h2q select{font:inherit;color:var(--h2q-fg);background:var(--h2q-bg);border:2px solid var(--h2q-border);
border-radius:6px;padding:0.25rem 0.4rem;min-height:2.25rem;max-width:100%}
.h2q input[type=text]{width:9rem}
.h2q select{margin:0.15rem 0.1rem}
.h2q button{font:inherit;font-size:0.95rem;border-radius:6px;border:2px solid var(--h2q-accent);padding:0.3rem 0.8rem;
min-height:2.25rem;cursor:pointer;background:var(--h2q-bg);color:var(--h2q-fg)}
.h2q button.h2q-primary{background:var(--h2q-accent);color:var(--h2q-on-accent)}
.h2q button[hidden]{display:none}
.h2q button:disabled{opacity:0.45;cursor:not-allowed;border-style:dashed;box-shadow:none}
.h2q button.h2q-hl{font:inherit;line-height:1.5;border:0;border-bottom:2px dotted var(--h2q-accent);border-radius:3px;
padding:0 0.2rem;min-height:1.5rem;min-width:1.5rem;background:var(--h2q-soft);color:inherit;text-align:left;white-space:normal}
.h2q button.h2q-hl[aria-pressed="true"]{background:var(--h2q-part-bg);outline:2px solid var(--h2q-part);
border-bottom-style:solid;font-weight:600}
.h2q-hl-mark::before{content:"\u25cb\u00a0"}
.h2q-hl[aria-pressed="true"] .h2q-hl-mark::before{content:"\u2714\u00a0"}
.h2q-hl-text{line-height:2}
.h2q-hl-text .h2q-badge:not(:empty){margin:0 0.3em}
.h2q-hl-table td:first-child{white-space:nowrap}
.h2q-hl-table button.h2q-hl{min-width:2.25rem;min-height:2.25rem;border:2px solid var(--h2q-accent);text-align:center}
.h2q-hl-table tr:has(.h2q-hl[aria-pressed="true"]) td{background:var(--h2q-part-bg)}
.h2q-showwarn{margin:0.5rem 0 0}
.h2q-showwarn[hidden],.h2q-showconfirm[hidden]{display:none}
.h2q :focus-visible{outline:3px solid var(--h2q-focus);outline-offset:2px}
.h2q [tabindex="-1"]:focus{outline:2px dashed var(--h2q-focus);outline-offset:2px}
.h2q-actions{display:flex;flex-wrap:wrap;gap:0.5rem;margin-top:0.6rem}
.h2q-badge{font-size:0.9rem;font-weight:700}
.h2q-badge:empty{display:none}
.h2q-ok-t{color:var(--h2q-ok)}.h2q-bad-t{color:var(--h2q-bad)}.h2q-part-t{color:var(--h2q-part)}
.h2q-feedback:empty{display:none}
.h2q-feedback{margin-top:0.6rem;padding:0.6rem 0.75rem;border-radius:6px;border-left:6px solid var(--h2q-info);background:var(--h2q-info-bg)}
.h2q-feedback.h2q-correct{border-left-color:var(--h2q-ok);background:var(--h2q-ok-bg)}
.h2q-feedback.h2q-incorrect{border-left-color:var(--h2q-bad);background:var(--h2q-bad-bg)}
.h2q-feedback.h2q-partial{border-left-color:var(--h2q-part);background:var(--h2q-part-bg)}
.h2q-verdict{font-weight:700;margin:0 0 0.3rem}
.h2q-feedback ul{margin:0.3rem 0;padding-left:1.2rem}
.h2q-feedback li{margin:0.3rem 0}
.h2q-feedback li>p:first-child{margin-top:0}
.h2q-meta{color:var(--h2q-muted);font-size:0.85rem;margin-top:0.4rem}
.h2q-row{margin:0.4rem 0;padding:0.35rem 0.5rem;border-radius:6px;background:var(--h2q-soft)}
.h2q-row legend{font-weight:600;font-size:1rem;float:left;width:100%}
.h2q-numrow{display:flex;flex-wrap:wrap;align-items:center;gap:0.5rem;margin:0.3rem 0}
.h2q-row-opts{display:flex;flex-wrap:wrap;gap:0.25rem 1rem;clear:both}
.h2q-row-opts .h2q-opt{padding:0.15rem 0.2rem}
.h2q-row-opts .h2q-opt label{flex:0 1 auto}
.h2q-cloze{line-height:2.4}
.h2q-cloze .h2q-badge:not(:empty){margin:0 0.4em 0 0.2em;white-space:nowrap}
.h2q-order{list-style:none;padding:0;margin:0.3rem 0}
.h2q-order li{display:flex;flex-wrap:wrap;align-items:center;gap:0.4rem;border:1px solid var(--h2q-border);border-radius:6px;
padding:0.35rem 0.5rem;margin:0.3rem 0;background:var(--h2q-soft)}
.h2q-pos{font-weight:700;min-width:1.5rem}
.h2q-steptext{flex:1 1 10rem}
.h2q-order button{padding:0.15rem 0.5rem;min-width:2.75rem}
.h2q-bowtie{display:grid;grid-template-columns:1fr;gap:0.5rem}
@media (min-width:700px){.h2q-bowtie{grid-template-columns:1fr 1fr 1fr}}
.h2q-group{border:1px solid var(--h2q-border)!important;border-radius:6px;padding:0.4rem 0.5rem!important}
.h2q-group legend{padding:0 0.25rem;font-size:1rem}
.h2q-summary{border-top:2px solid var(--h2q-border);margin-top:0.5rem;padding-top:0.6rem}
.h2q-save-error{padding:0.5rem 0.75rem;border-radius:6px;border-left:6px solid var(--h2q-bad);background:var(--h2q-bad-bg)}
.h2q-save-error[hidden]{display:none}
.h2q-table-wrap{overflow-x:auto}
.h2q-data-wrap,.h2q-summary{container-type:inline-size}
.h2q-data-tall{display:none}
@container (max-width:30rem){
.h2q-data-wrap>.h2q-data-wide{display:none}
.h2q-data-wrap>.h2q-data-tall{display:table}
.h2q-stack,.h2q-stack>caption,.h2q-stack>tbody,.h2q-stack>tbody>tr,.h2q-stack>tbody>tr>th{display:block}
.h2q-stack>thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.h2q-stack>tbody>tr{margin:0 0 0.5rem;padding:0.1rem 0.6rem 0.4rem;border:1px solid var(--h2q-border);border-radius:6px}
.h2q-stack>tbody>tr>th,.h2q-stack>tbody>tr>td{border:0;padding:0.25rem 1.25rem 0 0}
.h2q-stack>tbody>tr>th{padding:0.3rem 0;border-bottom:1px solid var(--h2q-border)}
.h2q-stack>tbody>tr>td{display:inline-block}
.h2q-stack>tbody>tr>td[data-label]::before{content:attr(data-label) ": ";content:attr(data-label) ": "/"";font-weight:600}
}
.h2q table{border-collapse:collapse;margin:0.4rem 0;font-size:0.92rem}
.h2q th,.h2q td{border:1px solid var(--h2q-border);padding:0.25rem 0.5rem;text-align:left;vertical-align:top;
overflow-wrap:normal;word-break:normal;hyphens:manual}
.h2q-data td{text-align:right;white-space:nowrap}
.h2q caption{text-align:left;font-weight:600;padding:0.2rem 0}
.h2q-sr{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
`;

function ensureStyle(doc) {
  if (!doc || doc.getElementById("her2course-quiz-css")) return;
  const style = doc.createElement("style");
  style.id = "her2course-quiz-css";
  style.textContent = CSS;
  doc.head.appendChild(style);
}

// ------------------------------------------------------------------------------------------------ DOM helpers

// el(tag, props, children): props.text sets textContent; props.trustedHtml takes sanitised spec HTML only.
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "trustedHtml") node.innerHTML = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "hidden") node.hidden = true;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of [].concat(children)) if (c) node.append(c);
  return node;
}

// The types scored +/- (schema.PLUS_MINUS): the first item of each type in a quiz explains the rule.
const PLUS_MINUS = ["sata", "highlight", "matrix_multi"];
const SCORING_NOTE = {
  sata: "How select-all questions are scored: each correct option you select earns 1 point and each incorrect " +
    "option you select takes 1 point away, so one right and one wrong tick score 0. The score never goes below 0.",
  highlight: "How this is scored: each part that matters earns 1 point when you select it, and each part selected " +
    "that does not matter takes 1 point away (never below 0).",
  matrix_multi: "How this is scored: row by row, each correct answer you select earns 1 point and each incorrect one " +
    "takes 1 point away (a row never scores below 0); the rows' points are added up.",
};

// A box that scrolls sideways when its table is wider than the column (a phone): keyboard users can focus it and
// scroll it with the arrow keys, and a screen reader names it by the table's caption (WCAG 2.1.1; axe
// "scrollable-region-focusable").
const scrollBox = (label, children, extra = "") => el("div", { class: `h2q-table-wrap${extra}`, tabindex: "0",
  role: "region", "aria-label": label }, children);

// A table of values over time (a trend item's data), text only. Where there is room the time points run across, as
// on a flowsheet; in a narrow box (a phone) the same values run down, one time point a row, so that no value is
// off-screen. Only one of the two is displayed (the other is display:none: read once, found once).
function dataTable(data, id) {
  const cols = (Array.isArray(data.columns) ? data.columns : []).map(String);
  const rows = (Array.isArray(data.rows) ? data.rows : []).filter(Array.isArray).map((r) => r.map(String));
  const grid = (cls, heads, body) => {
    const t = el("table", { class: `h2q-data ${cls}` }, [el("caption", { text: String(data.caption ?? "") })]);
    t.append(el("thead", {}, [el("tr", {}, heads.map((c) => el("th", { scope: "col", text: c })))]));
    t.append(el("tbody", {}, body.map((row) => el("tr", {}, row.map((c, i) => el(i === 0 ? "th" : "td",
      i === 0 ? { scope: "row", text: c } : { text: c }))))));
    return t;
  };
  const table = grid("h2q-data-wide", cols, rows);
  table.id = id;
  const tall = grid("h2q-data-tall", ["Time point", ...rows.map((r) => r[0] ?? "")],
    cols.slice(1).map((c, j) => [c, ...rows.map((r) => r[j + 1] ?? "")]));
  return scrollBox(String(data.caption ?? "Data"), [table, tall,
    data.source ? el("p", { class: "h2q-note", text: `Source: ${data.source}` }) : null], " h2q-data-wrap");
}

const ICON = { correct: "\u2714", incorrect: "\u2716", partial: "\u25d0", invalid: "\u2139", revealed: "\u2139" };
const VERDICT = { correct: "Correct", incorrect: "Not correct", partial: "Partly correct" };
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const allAnswered = (n) => (n === 1 ? "1 question answered" : `All ${n} questions answered`);

function badge(node, correct, text) {
  node.className = `h2q-badge ${correct ? "h2q-ok-t" : "h2q-bad-t"}`;
  node.textContent = `${correct ? ICON.correct : ICON.incorrect} ${text}`;
}

// ------------------------------------------------------------------------------------------------ the quiz

function render({ model, el: host }) {
  const doc = host.ownerDocument || document;
  ensureStyle(doc);
  const spec = model.get("spec");
  const items = spec.items || [];
  let base = `h2q-${spec.id}`;
  for (let n = 2; doc.getElementById(base); n += 1) base = `h2q-${spec.id}-${n}`;
  const uid = (...parts) => [base, ...parts].join("-");
  const storage = model.get("_storage");
  const assignment = spec.mode === "assignment";
  let state = dict();
  const views = dict();
  const firstOfType = new Set(PLUS_MINUS.map((t) => (items.find((it) => it.type === t) || {}).id).filter(Boolean));

  // Whether every question of this quiz has an answer checked or shown: kept on the host element
  // (data-answered) and announced with a "her2-quiz-answered" event, which the unfolding case listens to.
  const isAnswered = (id) => { const s = state[id]; return !!s && (s.checked || s.revealed || !!s.last); };
  const markAnswered = () => {
    if (items.length && items.every((it) => isAnswered(it.id))) host.setAttribute("data-answered", "");
    else host.removeAttribute("data-answered");
  };
  function answered(item) {
    markAnswered();
    const shown = (node) => !!node && node.getClientRects().length > 0;
    const next = typeof spec.next === "string" ? spec.next : "";
    const wasShown = next ? shown(doc.getElementById(next)) : true;
    host.dispatchEvent(new CustomEvent("her2-quiz-answered", { bubbles: true,
      detail: { quiz: spec.id, item: item.id, all: host.hasAttribute("data-answered") } }));
    // A case stage: the next stage appears once this one is answered (at once in the book, where mount.js moves
    // focus; after the kernel's reply in JupyterLab, so wait for it there, then move focus to its heading).
    if (!next || wasShown || shown(doc.getElementById(next))) return;
    let tries = 0;
    const wait = () => {
      const h = doc.getElementById(next);
      if (shown(h)) {
        if (!h.hasAttribute("tabindex")) h.setAttribute("tabindex", "-1");
        h.focus();
        say(`${h.textContent.trim()} is now shown.`);
      } else if ((tries += 1) < 50) setTimeout(wait, 100);
    };
    setTimeout(wait, 100);
  }

  const byItem = new Map(items.map((it) => [it.id, it]));
  // The saved answers (localStorage in the book, the kernel's copy in JupyterLab), checked before use: an entry
  // of the wrong shape starts afresh, attempts is a whole number, and a checked answer is graded again here, so a
  // stored score is never trusted (it cannot exceed the item's maximum). Entries of items not in this quiz are
  // kept as they are, unread.
  const loadState = () => {
    const r = model.get("responses");
    state = dict(isMap(r) ? Object.entries(JSON.parse(JSON.stringify(r))) : []);
    for (const [id, item] of byItem) {
      if (id in state) state[id] = restoreEntry(item, state[id]);
    }
  };
  const save = () => {
    model.set("responses", JSON.parse(JSON.stringify(state)));
    model.save_changes();
  };
  const st = (id) => (state[id] ||= { response: null, attempts: 0, checked: false, revealed: false });

  const root = el("section", { class: "h2q", "aria-label": `Quiz: ${spec.title}`, id: base });
  const announcer = el("p", { class: "h2q-sr", role: "status", "aria-live": "polite" });
  const say = (text) => { announcer.textContent = ""; setTimeout(() => { announcer.textContent = text; }, 30); };

  function build() {
    root.replaceChildren();
    loadState();
    const score = el("p", { class: "h2q-score", id: uid("score"), tabindex: "-1" });
    const resetBtn = el("button", { type: "button", class: "h2q-reset", text: "Reset my answers" });
    const confirmBox = el("span", { hidden: true, class: "h2q-confirm" });
    const yes = el("button", { type: "button", text: "Yes, clear all my answers" });
    const no = el("button", { type: "button", text: "Cancel" });
    confirmBox.append(el("span", { class: "h2q-note", text: "Clear every answer in this quiz? " }), yes, " ", no);
    resetBtn.addEventListener("click", () => { resetBtn.hidden = true; confirmBox.hidden = false; no.focus(); });
    no.addEventListener("click", () => { confirmBox.hidden = true; resetBtn.hidden = false; resetBtn.focus(); });
    confirmBox.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); no.click(); } });
    yes.addEventListener("click", () => {
      state = dict();
      save();
      build();
      say("Your answers were cleared.");
      const s = root.querySelector(".h2q-score");
      if (s) s.focus();
    });
    const note = storage === "local" ? "Your answers are kept in this browser only."
      : storage === "memory" ? "This browser does not allow saving: your answers will be lost when you leave the page."
      : "";
    // (no null children: Node.append would show them as the text "null")
    root.append(...[
      el("div", { class: "h2q-top" }, [el("p", { class: "h2q-title", text: spec.title }), score]),
      note ? el("p", { class: "h2q-note", text: note }) : "",
      assignment ? el("p", { class: "h2q-note", text: "This is an assignment: your answers are saved for your " +
        "instructor, and you can change an answer until you hand in. Feedback comes after your instructor " +
        "collects the results." }) : "",
      el("p", { class: "h2q-save-error", id: uid("save-error"), role: "alert", hidden: true }),
    ].filter(Boolean));
    for (const item of items) root.append(buildItem(item));
    const summary = el("div", { class: "h2q-summary", id: uid("summary") });
    root.append(...[summary, assignment ? null : el("div", { class: "h2q-actions" }, [resetBtn, confirmBox]), announcer]
      .filter(Boolean));
    showSaveError();
    for (const item of items) refresh(item, false);
    updateScore();
    markAnswered();
  }

  // ---- one question
  function buildItem(item) {
    const iid = uid(item.id);
    const s = st(item.id);
    const v = { item, badges: dict(), inputs: [] };
    views[item.id] = v;
    const stemId = `${iid}-stem`;
    const fieldset = el("fieldset", { "aria-describedby": stemId });
    fieldset.append(
      el("legend", {}, [
        el("span", { text: `Question ${item.number} of ${items.length}` }),
        el("span", { class: "h2q-instr", text: item.instruction }),
      ]),
      el("div", { class: "h2q-stem", id: stemId, trustedHtml: item.stem }),
    );
    if (isMap(item.data)) fieldset.append(dataTable(item.data, `${iid}-data`));
    if (firstOfType.has(item.id)) {
      fieldset.append(el("p", { class: "h2q-note h2q-scoring", id: `${iid}-scoring`, text: SCORING_NOTE[item.type] }));
    }
    const onChange = () => { st(item.id).response = readResponse(item, v); save(); };
    v.controls = buildControls(item, v, iid, onChange);
    fieldset.append(v.controls);
    v.check = el("button", { type: "button", class: "h2q-primary", text: assignment ? "Save answer" : "Check answer",
      "aria-describedby": stemId });
    v.retry = el("button", { type: "button", text: assignment ? "Change answer" : "Try again", hidden: true });
    v.show = assignment ? null : el("button", { type: "button", text: "Show answer", "aria-describedby": `${iid}-showwarn` });
    // Showing the answer before any answer is checked scores the question 0 for good: ask first, say so plainly.
    v.showWarn = assignment ? null : el("p", { class: "h2q-note h2q-showwarn", id: `${iid}-showwarn`, hidden: true,
      text: "Show the answer now? This question has no score yet: it will count 0 points, and you cannot check an " +
        "answer to it afterwards." });
    v.showYes = assignment ? null : el("button", { type: "button", text: "Yes, show the answer" });
    v.showNo = assignment ? null : el("button", { type: "button", text: "Keep answering" });
    const showBox = assignment ? null : el("div", { class: "h2q-actions h2q-showconfirm", hidden: true },
      [v.showYes, v.showNo]);
    v.feedback = el("div", { class: "h2q-feedback", id: `${iid}-feedback`, role: "status", "aria-live": "polite",
      tabindex: "-1" });
    v.check.addEventListener("click", () => {
      const cur = st(item.id);
      cur.response = readResponse(item, v);
      const result = grade(item, cur.response);
      if (result.status === "invalid") {
        showFeedback(v, result, false);
        save();
        return;
      }
      cur.attempts += 1;
      cur.checked = true;
      if (!assignment) cur.last = { score: result.score, status: result.status };
      save();
      refresh(item, true);
      updateScore();
      answered(item);
    });
    v.retry.addEventListener("click", () => {
      const cur = st(item.id);
      cur.checked = false;
      save();
      refresh(item, false);
      const first = v.inputs.find((i) => !i.disabled && (i.type !== "radio" || i.checked)) || v.inputs[0];
      if (first) first.focus();
    });
    const reveal = () => {
      const cur = st(item.id);
      cur.revealed = true;
      cur.response = readResponse(item, v);
      showBox.hidden = true;
      v.showWarn.hidden = true;
      save();
      refresh(item, false);
      updateScore();
      v.feedback.focus();
      answered(item);
    };
    const keepAnswering = () => {
      showBox.hidden = true;
      v.showWarn.hidden = true;
      v.show.hidden = false;
      v.show.focus();
    };
    if (v.show) {
      v.show.addEventListener("click", () => {
        if (st(item.id).last) { reveal(); return; }  // already scored: showing the answer changes nothing
        v.show.hidden = true;
        v.showWarn.hidden = false;
        showBox.hidden = false;
        v.showNo.focus();
      });
      v.showYes.addEventListener("click", reveal);
      v.showNo.addEventListener("click", keepAnswering);
      showBox.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); keepAnswering(); } });
    }
    const meta = el("p", { class: "h2q-meta", text:
      `Learning outcome ${item.learning_outcome} \u00b7 ${item.cjmm_step === "knowledge" ? "Knowledge item" :
        `Clinical judgment: ${item.cjmm_label}`} \u00b7 Source: ${item.sources}` });
    const article = el("div", { class: "h2q-item", id: iid, "data-type": item.type, "data-item": item.id }, [
      fieldset, el("div", { class: "h2q-actions" }, [v.check, v.retry, v.show]), v.showWarn, showBox, v.feedback, meta,
    ]);
    writeResponse(item, v, s.response);
    return article;
  }

  function choiceRow(kind, name, id, opt, onChange, v) {
    const input = el("input", { type: kind, name, id, value: opt.id, onchange: onChange });
    const b = el("span", { class: "h2q-badge", id: `${id}-badge` });
    v.badges[opt.id] = b;
    v.inputs.push(input);
    return el("div", { class: "h2q-opt" }, [input, el("label", { for: id, trustedHtml: opt.html }), b]);
  }

  function buildControls(item, v, iid, onChange) {
    const box = el("div", { class: `h2q-controls h2q-type-${item.type}` });
    if (item.type === "single" || item.type === "sata") {
      const kind = item.type === "single" ? "radio" : "checkbox";
      for (const o of item.options) box.append(choiceRow(kind, `${iid}-opt`, `${iid}-${o.id}`, o, onChange, v));
    } else if (item.type === "numeric") {
      const inId = `${iid}-input`;
      const hintId = `${iid}-hint`;
      const input = el("input", { type: "text", id: inId, inputmode: "decimal", autocomplete: "off",
        spellcheck: "false", "aria-describedby": hintId, oninput: onChange });
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); v.check.click(); } });
      v.inputs.push(input);
      const unit = item.answer.unit;
      v.badges.numeric = el("span", { class: "h2q-badge" });
      box.append(
        el("div", { class: "h2q-numrow" }, [
          el("label", { for: inId, text: "Your answer" }), input,
          unit ? el("span", { text: unit }) : null, v.badges.numeric,
        ]),
        el("p", { class: "h2q-note", id: hintId, text: `${item.answer.rounding}${unit ? ` Answer in ${unit}.` : ""}` }),
      );
    } else if (item.type === "ordered") {
      v.order = [...item.display];
      v.list = el("ol", { class: "h2q-order", id: `${iid}-list` });
      box.append(el("p", { class: "h2q-note", text:
        "Use the Up and Down buttons to move a step; the first step goes at the top." }), v.list);
      drawOrder(item, v, onChange);
    } else if (item.type === "matrix") {
      for (const r of item.rows) {
        const opts = el("div", { class: "h2q-row-opts" });
        for (const c of item.columns) {
          const id = `${iid}-${r.id}-${c.id}`;
          const input = el("input", { type: "radio", name: `${iid}-${r.id}`, id, value: c.id, onchange: onChange });
          v.inputs.push(input);
          opts.append(el("div", { class: "h2q-opt" }, [input, el("label", { for: id, trustedHtml: c.html })]));
        }
        v.badges[r.id] = el("span", { class: "h2q-badge" });
        box.append(el("fieldset", { class: "h2q-row", "data-row": r.id }, [
          el("legend", { trustedHtml: r.html }), opts, v.badges[r.id]]));
      }
    } else if (item.type === "cloze" || item.type === "dropdown_rationale") {
      const p = el("p", { class: "h2q-cloze" });
      let n = 0;
      for (const part of item.parts) {
        if (part.html !== undefined) { p.append(el("span", { trustedHtml: part.html })); continue; }
        const blank = item.blanks.find((b) => b.id === part.blank);
        n += 1;
        const sel = el("select", { id: `${iid}-${blank.id}`, "aria-label": `Blank ${n} of ${item.blanks.length}`,
          "data-blank": blank.id, onchange: onChange });
        sel.append(el("option", { value: "", text: "Choose\u2026" }));
        for (const o of blank.options) sel.append(el("option", { value: o.id, text: o.label }));
        v.inputs.push(sel);
        const b = el("span", { class: "h2q-badge" });
        for (const o of blank.options) v.badges[o.id] = b;
        p.append(sel, b);
      }
      box.append(p);
    } else if (item.type === "bowtie") {
      const grid = el("div", { class: "h2q-bowtie" });
      for (const g of item.groups) {
        const kind = g.choose === 1 ? "radio" : "checkbox";
        const fs = el("fieldset", { class: "h2q-group", "data-group": g.id }, [
          el("legend", { text: `${g.label} (choose ${g.choose})` })]);
        for (const o of g.options) fs.append(choiceRow(kind, `${iid}-${g.id}`, `${iid}-${o.id}`, o, onChange, v));
        grid.append(fs);
      }
      box.append(grid);
    } else if (item.type === "highlight") {
      buildHighlight(item, v, iid, onChange, box);
    } else if (item.type === "matrix_multi") {
      for (const r of item.rows) {
        const opts = el("div", { class: "h2q-row-opts" });
        for (const c of item.columns) {
          const id = `${iid}-${r.id}-${c.id}`;
          const input = el("input", { type: "checkbox", name: `${iid}-${r.id}`, id, value: c.id, onchange: onChange });
          v.inputs.push(input);
          opts.append(el("div", { class: "h2q-opt" }, [input, el("label", { for: id, trustedHtml: c.html })]));
        }
        v.badges[r.id] = el("span", { class: "h2q-badge" });
        box.append(el("fieldset", { class: "h2q-row", "data-row": r.id }, [
          el("legend", { trustedHtml: r.html }), opts, v.badges[r.id]]));
      }
    }
    return box;
  }

  // A highlight item: each selectable span of the passage, or each row of the table, is a toggle button
  // (aria-pressed), so it works with a mouse, by keyboard (Tab, then Enter or Space) and with a screen reader.
  function buildHighlight(item, v, iid, onChange, box) {
    const toggle = (b) => {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      onChange();
    };
    const button = (part, props, children) => {
      const b = el("button", { type: "button", class: "h2q-hl", "aria-pressed": "false", "data-part": part.id,
        id: `${iid}-${part.id}`, ...props }, children);
      b.addEventListener("click", () => toggle(b));
      v.inputs.push(b);
      v.badges[part.id] = el("span", { class: "h2q-badge" });
      return b;
    };
    box.append(el("p", { class: "h2q-note", text: item.table
      ? "Select a row with its Select button (or click the row); select it again to clear it."
      : "Select a highlighted phrase to mark it; select it again to clear it." }));
    if (item.table) {
      const t = item.table;
      const table = el("table", { class: "h2q-hl-table" }, [el("caption", { text: t.caption })]);
      table.append(el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Select" }),
        ...t.columns.map((c) => el("th", { scope: "col", text: String(c) }))])]));
      const body = el("tbody");
      for (const r of t.rows) {
        const b = button(r, { "aria-label": `Select row: ${r.label}` }, [el("span", { class: "h2q-hl-mark", "aria-hidden": "true" })]);
        const tr = el("tr", { "data-part": r.id }, [el("td", {}, [b, v.badges[r.id]]),
          ...r.cells.map((c) => el("td", { text: String(c) }))]);
        tr.addEventListener("click", (e) => { if (!b.disabled && !e.target.closest("button")) toggle(b); });
        body.append(tr);
      }
      table.append(body);
      box.append(scrollBox(String(t.caption), [table]));
      return;
    }
    const spans = dict((item.spans || []).map((sp) => [sp.id, sp]));
    const p = el("p", { class: "h2q-hl-text" });
    for (const part of item.parts || []) {
      if (part.html !== undefined) { p.append(el("span", { trustedHtml: part.html })); continue; }
      const sp = spans[part.blank];
      if (!sp) continue;
      p.append(button(sp, {}, [el("span", { class: "h2q-hl-mark", "aria-hidden": "true" }), el("span", { trustedHtml: sp.html })]),
        v.badges[sp.id]);
    }
    box.append(p);
  }

  function drawOrder(item, v, onChange) {
    const byId = dict(item.options.map((o) => [o.id, o]));
    v.list.replaceChildren();
    v.inputs = [];
    const total = v.order.length;
    v.order.forEach((sid, i) => {
      const o = byId[sid];
      const up = el("button", { type: "button", text: "\u2191 Up", "aria-label": `Move up: ${o.label}`,
        "data-move": "up", "data-step": sid });
      const down = el("button", { type: "button", text: "\u2193 Down", "aria-label": `Move down: ${o.label}`,
        "data-move": "down", "data-step": sid });
      if (i === 0) up.disabled = true;
      if (i === total - 1) down.disabled = true;
      const move = (delta, which) => {
        const j = i + delta;
        [v.order[i], v.order[j]] = [v.order[j], v.order[i]];
        drawOrder(item, v, onChange);
        onChange();
        say(`${o.label}: moved to position ${j + 1} of ${total}.`);
        const again = v.list.querySelector(`button[data-step="${cssEscape(sid)}"][data-move="${which}"]`);
        const other = v.list.querySelector(`button[data-step="${cssEscape(sid)}"][data-move="${which === "up" ? "down" : "up"}"]`);
        (again && !again.disabled ? again : other).focus();
      };
      up.addEventListener("click", () => move(-1, "up"));
      down.addEventListener("click", () => move(1, "down"));
      v.badges[sid] = el("span", { class: "h2q-badge" });
      v.inputs.push(up, down);
      v.list.append(el("li", { "data-step": sid }, [
        el("span", { class: "h2q-pos", text: `${i + 1}.` }), el("span", { class: "h2q-steptext", trustedHtml: o.html }),
        up, down, v.badges[sid]]));
    });
  }

  function readResponse(item, v) {
    const box = v.controls;
    switch (item.type) {
      case "single": { const c = box.querySelector("input:checked"); return c ? c.value : null; }
      case "sata": return [...box.querySelectorAll("input:checked")].map((i) => i.value);
      case "numeric": return box.querySelector("input").value;
      case "ordered": return [...v.order];
      case "matrix": {
        const out = dict();
        for (const r of item.rows) {
          const c = box.querySelector(`fieldset[data-row="${cssEscape(r.id)}"] input:checked`);
          if (c) out[r.id] = c.value;
        }
        return out;
      }
      case "cloze":
      case "dropdown_rationale": {
        const out = dict();
        for (const s of box.querySelectorAll("select")) if (s.value) out[s.dataset.blank] = s.value;
        return out;
      }
      case "highlight":
        return [...box.querySelectorAll('button.h2q-hl[aria-pressed="true"]')].map((b) => b.dataset.part);
      case "matrix_multi": {
        const out = dict();
        for (const r of item.rows) {
          out[r.id] = [...box.querySelectorAll(`fieldset[data-row="${cssEscape(r.id)}"] input:checked`)].map((i) => i.value);
        }
        return out;
      }
      case "bowtie": {
        const out = dict();
        for (const g of item.groups) {
          out[g.id] = [...box.querySelectorAll(`fieldset[data-group="${cssEscape(g.id)}"] input:checked`)].map((i) => i.value);
        }
        return out;
      }
      default: return null;
    }
  }

  function writeResponse(item, v, r) {
    if (r === null || r === undefined) return;
    const box = v.controls;
    const checkIds = (ids) => { for (const i of box.querySelectorAll("input")) i.checked = ids.includes(i.value); };
    if (item.type === "single" && typeof r === "string") checkIds([r]);
    else if (item.type === "sata" && isStrList(r)) checkIds(r);
    else if (item.type === "numeric") box.querySelector("input").value = typeof r === "string" ? r : String(r);
    else if (item.type === "ordered" && isStrList(r) && r.length === v.order.length &&
             r.every((x) => v.order.includes(x))) {
      v.order = [...r];
      drawOrder(item, v, () => { st(item.id).response = readResponse(item, v); save(); });
    } else if (item.type === "matrix" && isMap(r)) {
      for (const row of item.rows) {
        for (const i of box.querySelectorAll(`fieldset[data-row="${cssEscape(row.id)}"] input`)) i.checked = i.value === r[row.id];
      }
    } else if ((item.type === "cloze" || item.type === "dropdown_rationale") && isMap(r)) {
      for (const s of box.querySelectorAll("select")) s.value = r[s.dataset.blank] || "";
    } else if (item.type === "highlight" && isStrList(r)) {
      for (const b of box.querySelectorAll("button.h2q-hl")) b.setAttribute("aria-pressed", r.includes(b.dataset.part) ? "true" : "false");
    } else if (item.type === "matrix_multi" && isMap(r)) {
      for (const row of item.rows) {
        const ids = isStrList(r[row.id]) ? r[row.id] : [];
        for (const i of box.querySelectorAll(`fieldset[data-row="${cssEscape(row.id)}"] input`)) i.checked = ids.includes(i.value);
      }
    } else if (item.type === "bowtie" && isMap(r)) {
      for (const g of item.groups) {
        const ids = isStrList(r[g.id]) ? r[g.id] : [];
        for (const i of box.querySelectorAll(`fieldset[data-group="${cssEscape(g.id)}"] input`)) i.checked = ids.includes(i.value);
      }
    }
  }

  // ---- feedback
  function refresh(item, focusRetry) {
    const v = views[item.id];
    const s = st(item.id);
    const locked = s.checked || s.revealed;
    for (const i of v.inputs) i.disabled = locked;
    if (item.type === "ordered" && !locked) {
      const first = v.list.querySelector('button[data-move="up"]');
      const last = [...v.list.querySelectorAll('button[data-move="down"]')].pop();
      if (first) first.disabled = true;
      if (last) last.disabled = true;
    }
    for (const b of new Set(Object.values(v.badges))) { b.textContent = ""; b.className = "h2q-badge"; }
    v.check.hidden = locked;
    v.retry.hidden = !s.checked || s.revealed;
    if (v.show) v.show.hidden = s.revealed;
    if (assignment) {
      showSaved(v, s);
      if (s.checked && focusRetry) v.retry.focus();
    } else if (s.revealed) {
      showAnswer(item, v);
    } else if (s.checked) {
      const result = grade(item, s.response);
      showFeedback(v, result, true);
      if (focusRetry) v.retry.focus();
    } else {
      v.feedback.replaceChildren();
      v.feedback.className = "h2q-feedback";
    }
  }

  // ---- assignment mode: no verdict, only whether the kernel stored the answer
  function showSaved(v, s) {
    const fb = v.feedback;
    fb.replaceChildren();
    fb.className = "h2q-feedback";
    if (!s.checked) return;
    const saved = model.get("saved");
    const stored = isMap(saved) && typeof saved[v.item.id] === "number" && saved[v.item.id] >= s.attempts;
    const failed = !stored && !!model.get("save_error");
    const text = stored || saved === undefined ? "\u2714 Answer saved. Choose Change answer to change it."
      : failed ? "\u2716 Not saved: see the message at the top of the quiz."
      : "Saving your answer\u2026";
    fb.append(el("p", { class: "h2q-verdict", text }));
  }

  function showSaveError() {
    const box = root.querySelector(".h2q-save-error");
    if (!box) return;
    const why = model.get("save_error");
    box.hidden = !why;
    box.textContent = why ? `Your answers cannot be saved: ${why}. The quiz still works, but what you answer ` +
      "now is lost when you close this notebook. Tell your instructor." : "";
  }

  function rationaleLi(correct, labelHtml, prefix, rationaleHtml) {
    const li = el("li");
    const head = el("p");
    head.append(el("span", { class: correct ? "h2q-ok-t" : "h2q-bad-t",
      text: `${correct ? ICON.correct : ICON.incorrect} ${prefix} ` }));
    if (labelHtml) head.append(el("span", { trustedHtml: labelHtml }));
    li.append(head, el("div", { trustedHtml: rationaleHtml }));
    return li;
  }

  function showFeedback(v, result, withMarks) {
    const { item } = v;
    const fb = v.feedback;
    fb.replaceChildren();
    if (result.status === "invalid") {
      fb.className = "h2q-feedback";
      fb.append(el("p", { class: "h2q-verdict", text: `${ICON.invalid} ${result.message}` }));
      return;
    }
    fb.className = `h2q-feedback h2q-${result.status}`;
    const cls = { correct: "h2q-ok-t", incorrect: "h2q-bad-t", partial: "h2q-part-t" }[result.status];
    fb.append(el("p", { class: `h2q-verdict ${cls}`,
      text: `${ICON[result.status]} ${VERDICT[result.status]}: ${result.score} of ${plural(result.max, "point")}.` }));
    if (!withMarks) return;
    const list = el("ul");
    const byMark = dict(result.marks.map((m) => [m.key, m.correct]));
    const options = allOptions(item);
    if (item.type === "numeric") {
      const s = st(item.id);
      fb.append(el("p", { text: `Your answer: ${String(s.response).trim()}` }));
      badge(v.badges.numeric, result.status === "correct", result.status === "correct" ? "Correct" : "Not correct");
      if (result.status === "correct") fb.append(el("div", { trustedHtml: item.rationale }));
      for (const m of result.marks) {
        const d = item.distractors[Number(m.key.slice(1)) - 1];
        if (d) list.append(rationaleLi(false, "", "A common slip:", d.rationale));
      }
      if (result.status !== "correct" && !result.marks.length) {
        const hint = numericHint(item, parseNumber(s.response).value);
        if (hint) fb.append(el("p", { class: "h2q-hint", text: hint }));
      }
    } else if (item.type === "matrix_multi") {
      const cols = dict(item.columns.map((c) => [c.id, c.label]));
      for (const r of item.rows) {
        const chosen = result.marks.filter((m) => m.key.startsWith(`${r.id}:`));
        const points = Math.max(0, chosen.reduce((n, m) => n + (m.correct ? 1 : -1), 0));
        const ok = points === r.answers.length && chosen.every((m) => m.correct);
        badge(v.badges[r.id], ok, `${points} of ${plural(r.answers.length, "point")}`);
        const li = rationaleLi(ok, r.html, ok ? "Correct:" : "Not fully correct:", r.rationale);
        const picks = chosen.map((m) => `${cols[m.key.slice(r.id.length + 1)]} (${m.correct ? "right" : "wrong"})`);
        li.firstChild.append(el("span", { text: ` You chose: ${picks.join(", ")}.` }));
        list.append(li);
      }
    } else if (item.type === "matrix") {
      for (const r of item.rows) {
        const ok = byMark[r.id];
        badge(v.badges[r.id], ok, ok ? "Correct" : "Not correct");
        list.append(rationaleLi(ok, r.html, ok ? "Correct:" : "Not correct:", r.rationale));
      }
    } else if (item.type === "ordered") {
      result.marks.forEach((m, i) => {
        badge(v.badges[m.key], m.correct, m.correct ? "Right place" : "Wrong place");
        list.append(rationaleLi(m.correct, options[m.key].html,
          `Position ${i + 1}${m.correct ? " (right place):" : " (wrong place):"}`, options[m.key].rationale));
      });
    } else {
      for (const m of result.marks) {
        const o = options[m.key];
        if (!o) continue;
        badge(v.badges[m.key], m.correct, m.correct ? "Correct choice" : "Incorrect choice");
        list.append(rationaleLi(m.correct, o.html, m.correct ? "You chose (correct):" : "You chose (incorrect):", o.rationale));
      }
      if ((item.type === "sata" || item.type === "highlight") && result.status !== "correct") {
        const pool = item.type === "sata" ? item.options : highlightParts(item);
        const missed = pool.filter((o) => o.correct && !(o.id in byMark)).length;
        const what = item.type === "sata" ? "correct option" : "part that matters";
        if (missed) fb.append(el("p", { text: `You have not selected ${plural(missed, what)} yet.` }));
      }
      if (item.type === "dropdown_rationale" && result.status !== "correct") {
        fb.append(el("p", { text: "Rationale scoring: each reason earns its point only together with the right " +
          "claim in the first blank, so a right reason after a wrong claim scores nothing." }));
      }
    }
    if (list.children.length) fb.append(list);
    if (result.status === "correct") {
      fb.append(el("div", { class: "h2q-explain", trustedHtml: item.explanation }));
    } else {
      fb.append(el("p", { text: list.children.length ? "Read the rationales, then choose Try again or Show answer."
        : "Choose Try again, or Show answer for the worked solution." }));
    }
  }

  function allOptions(item) {
    const out = dict();
    const add = (opts) => { for (const o of opts || []) out[o.id] = o; };
    add(item.options);
    for (const b of item.blanks || []) add(b.options);
    for (const g of item.groups || []) add(g.options);
    if (item.type === "highlight") add(highlightParts(item));
    return out;
  }

  function showAnswer(item, v) {
    const fb = v.feedback;
    fb.replaceChildren();
    fb.className = "h2q-feedback";
    fb.append(el("p", { class: "h2q-verdict", text: `${ICON.revealed} Answer shown.` }));
    const list = el("ul");
    if (item.type === "single" || item.type === "sata") {
      for (const o of item.options) {
        if (o.correct) badge(v.badges[o.id], true, "Correct answer");
        list.append(rationaleLi(o.correct, o.html, o.correct ? "Correct answer:" : "Not correct:", o.rationale));
      }
    } else if (item.type === "numeric") {
      const a = item.answer;
      fb.append(el("p", { text: `Answer: ${a.value}${a.unit ? ` ${a.unit}` : ""}. ${a.rounding}` }),
        el("div", { trustedHtml: item.rationale }));
    } else if (item.type === "ordered") {
      item.options.forEach((o, i) => list.append(rationaleLi(true, o.html, `Step ${i + 1}:`, o.rationale)));
    } else if (item.type === "matrix") {
      const cols = dict(item.columns.map((c) => [c.id, c]));
      for (const r of item.rows) {
        const li = rationaleLi(true, r.html, "", r.rationale);
        li.firstChild.append(el("span", { text: ` \u2192 ${cols[r.answer].label}` }));
        list.append(li);
      }
    } else if (item.type === "cloze" || item.type === "dropdown_rationale") {
      item.blanks.forEach((b, i) => {
        const o = b.options.find((x) => x.correct);
        badge(v.badges[o.id], true, `Answer: ${o.label}`);
        list.append(rationaleLi(true, o.html, `Blank ${i + 1}:`, o.rationale));
      });
    } else if (item.type === "highlight") {
      for (const o of highlightParts(item)) {
        if (o.correct) badge(v.badges[o.id], true, "Select");
        list.append(rationaleLi(o.correct, o.html, o.correct ? "Select:" : "Leave unselected:", o.rationale));
      }
    } else if (item.type === "matrix_multi") {
      const cols = dict(item.columns.map((c) => [c.id, c.label]));
      for (const r of item.rows) {
        const li = rationaleLi(true, r.html, "", r.rationale);
        li.firstChild.append(el("span", { text: ` \u2192 ${r.answers.map((a) => cols[a]).join(", ")}` }));
        list.append(li);
      }
    } else if (item.type === "bowtie") {
      for (const g of item.groups) {
        for (const o of g.options.filter((x) => x.correct)) {
          badge(v.badges[o.id], true, "Correct answer");
          list.append(rationaleLi(true, o.html, `${g.label}:`, o.rationale));
        }
      }
    }
    if (list.children.length) fb.append(list);
    fb.append(el("div", { class: "h2q-explain", trustedHtml: item.explanation }));
  }

  // ---- score and summary
  function resultFor(item) {
    const s = state[item.id];
    if (!s) return null;
    if (s.last) return { score: Math.max(0, Math.min(s.last.score, item.max)), max: item.max };
    if (s.revealed) return { score: 0, max: item.max };
    return null;
  }

  function updateScore() {
    if (assignment) { updateSaved(); return; }
    let got = 0;
    let done = 0;
    const total = items.reduce((n, it) => n + it.max, 0);
    const byLo = dict();
    const byStep = dict();
    const review = [];
    for (const item of items) {
      const r = resultFor(item);
      const lo = (byLo[item.learning_outcome] ||= { got: 0, max: 0, done: 0, n: 0 });
      const step = (byStep[item.cjmm_label] ||= { got: 0, max: 0, done: 0, n: 0 });
      lo.max += item.max; step.max += item.max; lo.n += 1; step.n += 1;
      if (r) {
        done += 1; got += r.score;
        lo.got += r.score; step.got += r.score; lo.done += 1; step.done += 1;
        if (r.score < r.max) review.push(item);
      }
    }
    const scoreEl = root.querySelector(".h2q-score");
    if (scoreEl) scoreEl.textContent = `Score: ${got} of ${plural(total, "point")} \u00b7 ${done} of ${plural(items.length, "question")} answered`;
    const box = root.querySelector(".h2q-summary");
    if (!box) return;
    box.replaceChildren(el("p", { class: "h2q-title", text: "Summary" }));
    if (done < items.length) {
      box.append(el("p", { text: `${done} of ${plural(items.length, "question")} answered so far. ` +
        "The summary by learning outcome fills in as you go." }));
    } else {
      const pct = total ? Math.round((100 * got) / total) : 0;
      box.append(el("p", { text: `${allAnswered(items.length)}: ${got} of ${plural(total, "point")} (${pct}%).` }));
    }
    // In a narrow box (a phone) each row becomes a card, its values labelled by their column; the explicit roles
    // keep it a table to assistive technology when it is no longer displayed as one.
    const table = (caption, first, rows) => {
      const t = el("table", { class: "h2q-stack", role: "table" }, [el("caption", { text: caption })]);
      t.append(el("thead", { role: "rowgroup" }, [el("tr", { role: "row" }, [first, "Answered", "Points"].map((h) =>
        el("th", { scope: "col", role: "columnheader", text: h })))]));
      const body = el("tbody", { role: "rowgroup" });
      for (const [name, r] of rows) {
        body.append(el("tr", { role: "row" }, [el("th", { scope: "row", role: "rowheader", text: name }),
          el("td", { role: "cell", "data-label": "Answered", text: `${r.done} of ${r.n}` }),
          el("td", { role: "cell", "data-label": "Points", text: `${r.got} of ${r.max}` })]));
      }
      t.append(body);
      return scrollBox(caption, [t]);
    };
    const outcomes = isMap(spec.outcomes) ? spec.outcomes : {};
    box.append(table("By learning outcome", "Outcome", Object.entries(byLo).map(([k, r]) => [typeof own(outcomes, k) === "string" ? `${k}: ${own(outcomes, k)}` : k, r])));
    box.append(table("By clinical judgment step", "Step", Object.entries(byStep)));
    if (review.length) {
      const ul = el("ul");
      for (const it of review) {
        ul.append(el("li", {}, [el("a", { href: `#${uid(it.id)}`, text: `Question ${it.number}` })]));
      }
      box.append(el("p", { text: "Worth another look:" }), ul);
    }
  }

  function updateSaved() {
    const done = items.filter((it) => state[it.id] && state[it.id].attempts > 0).length;
    const scoreEl = root.querySelector(".h2q-score");
    if (scoreEl) scoreEl.textContent = `${done} of ${plural(items.length, "question")} answered`;
    const box = root.querySelector(".h2q-summary");
    if (box) {
      box.replaceChildren(el("p", { text: done < items.length
        ? `${done} of ${plural(items.length, "question")} answered so far.`
        : `${allAnswered(items.length)}. Save your results file below and hand it in.` }));
    }
  }

  const onStore = () => {
    showSaveError();
    if (assignment) for (const item of items) if (views[item.id]) showSaved(views[item.id], st(item.id));
  };

  build();
  host.replaceChildren(root);
  const onExternal = () => { build(); };
  if (typeof model.on === "function") {
    model.on("change:spec", onExternal);
    model.on("change:saved", onStore);
    model.on("change:save_error", onStore);
  }
  return () => {
    if (typeof model.off === "function") {
      model.off("change:spec", onExternal);
      model.off("change:saved", onStore);
      model.off("change:save_error", onStore);
    }
  };
}

function cssEscape(s) {
  return globalThis.CSS && globalThis.CSS.escape ? globalThis.CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
}

export default { render };

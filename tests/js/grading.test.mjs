// The front-end grader (src/her2course/static/quiz.js) against the shared vectors (tests/quiz_vectors.json),
// the same file tests/test_quiz_grading.py runs through the Python grader. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const vectors = JSON.parse(readFileSync(`${here}../quiz_vectors.json`, "utf8"));
const { dict, grade, maxScore, parseNumber, restoreEntry } = await import(new URL("../../src/her2course/static/quiz.js", import.meta.url));
const items = Object.fromEntries(vectors.bank.map((item) => [item.id, item]));

test("every item type appears in the vectors", () => {
  const types = new Set(vectors.cases.map((c) => items[c.item].type));
  for (const t of ["single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie", "highlight", "matrix_multi",
    "dropdown_rationale"]) assert.ok(types.has(t), t);
});

for (const c of vectors.cases) {
  test(`${c.item}: ${c.note}`, () => {
    assert.deepEqual(grade(items[c.item], c.response), c.expected);
  });
}

test("grading never throws on odd responses, and scores stay in [0, max]", () => {
  const odd = [undefined, null, 0, 1, -1, NaN, "", " ", "x", [], [1, 2], {}, { a: 1 }, true, "1e999", "\u0000"];
  for (const item of vectors.bank) {
    for (const r of odd) {
      const g = grade(item, r);
      assert.ok(g.score >= 0 && g.score <= g.max, `${item.id} ${JSON.stringify(r)}`);
      assert.equal(g.max, maxScore(item));
    }
  }
});

test("SATA: the order of selection never changes the result", () => {
  const sata = items["t-sata"];
  const ids = sata.options.map((o) => o.id);
  for (let mask = 1; mask < 1 << ids.length; mask += 1) {
    const pick = ids.filter((_, i) => mask & (1 << i));
    assert.deepEqual(grade(sata, [...pick].reverse()), grade(sata, pick));
  }
});

test("parseNumber reads commas, points and units", () => {
  assert.equal(parseNumber("5,4").value, 5.4);
  assert.equal(parseNumber(" 5.4 mg/kg ").unit, "mg/kg");
  assert.equal(parseNumber("1,000,000").value, 1000000);
  assert.equal(parseNumber("abc").value, null);
});

test("a response that is a JSON number is that number", () => {
  for (const n of [5.4, 54, 0, -0, 1250, 1e21, 1e-7, 2 ** 53 + 1]) assert.equal(parseNumber(n).value, n);
  for (const n of [Infinity, -Infinity, NaN]) assert.match(parseNumber(n).message, /not a number/);
  assert.match(parseNumber("5".repeat(101)).message, /too long/);
});

test("restoreEntry: a stored score is graded again, never trusted", () => {
  const sata = items["t-sata"];
  const max = maxScore(sata);
  const tampered = restoreEntry(sata, { response: ["a", "c", "e"], checked: true, attempts: 1, last: { score: 33966, status: "correct" } });
  assert.deepEqual(tampered.last, { score: max, status: "correct" });
  const wrong = restoreEntry(sata, { response: ["b"], checked: true, attempts: 2, last: { score: 33966, status: "correct" } });
  assert.deepEqual(wrong.last, { score: 0, status: "incorrect" });
  const retried = restoreEntry(sata, { response: null, checked: false, attempts: 1, last: { score: 33966, status: "partial" } });
  assert.equal(retried.last.score, max);
  const negative = restoreEntry(sata, { checked: false, last: { score: -5, status: "partial" } });
  assert.equal(negative.last.score, 0);
  for (const last of [{ score: "9", status: "correct" }, { score: 1.5, status: "correct" }, { score: 1, status: "x" }, [], "3"]) {
    assert.equal(restoreEntry(sata, { checked: false, last }).last, undefined, JSON.stringify(last));
  }
});

test("restoreEntry: entries of the wrong shape start afresh, without an error", () => {
  const odd = [null, undefined, 3, "x", [], [1, 2], { checked: "yes" }, { attempts: "5" }, { attempts: -1 },
    { attempts: 1e300 }, { response: { r1: ["yes"] }, checked: true }, JSON.parse('{"__proto__": {"checked": true}}')];
  for (const item of vectors.bank) {
    for (const entry of odd) {
      const s = restoreEntry(item, entry);
      assert.ok(Number.isSafeInteger(s.attempts) && s.attempts >= 0, JSON.stringify(entry));
      assert.equal(typeof s.checked, "boolean");
      assert.equal(typeof s.revealed, "boolean");
      if (s.last) assert.ok(s.last.score >= 0 && s.last.score <= maxScore(item));
    }
  }
  const malformed = restoreEntry(items["t-matrix"], { response: { r1: ["yes"], r2: "no", r3: "yes" }, checked: true,
    last: { score: 3, status: "correct" } });
  assert.equal(malformed.checked, false);
  assert.equal(malformed.last, undefined);
});

test("ids that are Object.prototype members are data (constructor, __proto__, toString)", () => {
  const names = ["constructor", "__proto__", "toString", "hasOwnProperty"];
  const matrix = { type: "matrix", columns: [{ id: "yes" }, { id: "no" }],
    rows: names.map((id) => ({ id, answer: "yes" })) };
  const answers = JSON.parse(`{${names.map((n) => `"${n}": "yes"`).join(",")}}`);
  assert.equal(grade(matrix, answers).status, "correct");
  assert.equal(grade(matrix, {}).message, `Choose one answer in every row (0 of ${names.length} done).`);
  const cloze = { type: "cloze", blanks: [{ id: "constructor", options: [{ id: "a", correct: true }, { id: "b" }] }] };
  assert.equal(grade(cloze, {}).status, "invalid");
  assert.equal(grade(cloze, { constructor: "a" }).status, "correct");
  const bowtie = { type: "bowtie", groups: [{ id: "toString", label: "T", choose: 1, options: [{ id: "x", correct: true }, { id: "y" }] }] };
  assert.equal(grade(bowtie, {}).status, "invalid");
  const table = dict(names.map((n) => [n, n.length]));
  assert.deepEqual(Object.keys(table), names);
  assert.equal(Object.getPrototypeOf(table), null);
  assert.equal(JSON.stringify(table), JSON.stringify(Object.fromEntries(names.map((n) => [n, n.length]))));
});

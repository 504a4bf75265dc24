// The front-end grader (src/her2course/static/quiz.js) against the shared vectors (tests/quiz_vectors.json),
// the same file tests/test_quiz_grading.py runs through the Python grader. Run: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const vectors = JSON.parse(readFileSync(`${here}../quiz_vectors.json`, "utf8"));
const { grade, maxScore, parseNumber } = await import(new URL("../../src/her2course/static/quiz.js", import.meta.url));
const items = Object.fromEntries(vectors.bank.map((item) => [item.id, item]));

test("every item type appears in the vectors", () => {
  const types = new Set(vectors.cases.map((c) => items[c.item].type));
  for (const t of ["single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie"]) assert.ok(types.has(t), t);
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

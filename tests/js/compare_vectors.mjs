// Grades a file of generated vectors ({bank, cases}) with quiz.js and compares each result with Python's, field by
// field. Run by tests/test_quiz_grading.py, which generates the file: node tests/js/compare_vectors.mjs FILE
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";

const { grade } = await import(new URL("../../src/her2course/static/quiz.js", import.meta.url));
const { bank, cases } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const items = new Map(bank.map((item) => [item.id, item]));
const failures = [];
for (const c of cases) {
  let got;
  try {
    got = grade(items.get(c.item), c.response);
  } catch (err) {
    got = { threw: String(err) };
  }
  if (!isDeepStrictEqual(got, c.expected)) failures.push({ item: c.item, response: c.response, python: c.expected, js: got });
}
if (failures.length) {
  console.log(`${failures.length} of ${cases.length} responses graded differently; the first ones:`);
  for (const f of failures.slice(0, 10)) console.log(JSON.stringify(f));
  process.exit(1);
}
console.log(`${cases.length} responses graded alike`);

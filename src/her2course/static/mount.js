// Mounts every quiz fallback (<div class="her2-quiz" data-spec='...'>) in the static book with the same quiz.js
// the live widget uses, and a stand-in for the widget model whose "responses" live in localStorage; then unfolds
// every case study (<div class="her2-case" data-unfold>): stage n+1 shows only once stage n is answered.
// Loaded on every page as a module (html_js_files: [[mount.js, {type: module}]]); the import resolves against
// this file's own URL. The ?v= below must change whenever quiz.js changes (tests/test_quiz_assets.py checks it).
import quiz from "./quiz.js?v=ffb9117a5a";

const PREFIX = "her2course:quiz:v1:";

function storageModel(spec) {
  const key = PREFIX + spec.id;
  let store = null;
  try {
    store = window.localStorage;
    store.setItem(`${PREFIX}probe`, "1");
    store.removeItem(`${PREFIX}probe`);
  } catch {
    store = null;
  }
  let responses = {};
  if (store) {
    try {
      const saved = JSON.parse(store.getItem(key) || "{}");
      if (saved && typeof saved === "object" && !Array.isArray(saved)) responses = saved;
    } catch {
      responses = {};
    }
  }
  const data = { spec, responses, _storage: store ? "local" : "memory" };
  const listeners = new Map();
  return {
    get: (name) => data[name],
    set: (name, value) => {
      data[name] = value;
      for (const fn of listeners.get(`change:${name}`) || []) fn();
    },
    save_changes: () => {
      if (!store) return;
      try {
        if (Object.keys(data.responses || {}).length) store.setItem(key, JSON.stringify(data.responses));
        else store.removeItem(key);
      } catch {
        /* storage full or blocked: the quiz keeps working for this visit */
      }
    },
    on: (event, fn) => listeners.set(event, [...(listeners.get(event) || []), fn]),
    off: (event, fn) => listeners.set(event, (listeners.get(event) || []).filter((f) => f !== fn)),
    send: () => {},
  };
}

export function mountAll(root = document) {
  for (const host of root.querySelectorAll("div.her2-quiz[data-spec]:not([data-mounted])")) {
    host.setAttribute("data-mounted", "");
    try {
      const spec = JSON.parse(host.getAttribute("data-spec"));
      quiz.render({ model: storageModel(spec), el: host });
    } catch (err) {
      host.removeAttribute("data-mounted");
      const p = document.createElement("p");
      p.textContent = "This quiz could not be loaded in this browser.";
      host.append(p);
      console.error("her2course quiz:", err);
    }
  }
}

// An unfolding case: every stage up to the one after the last answered stage is shown, the rest are hidden (with
// a note saying how to reach them). Answering a stage's question (quiz.js announces "her2-quiz-answered") shows
// the next stage and moves focus to its heading; "Show all stages" (for instructors, and for print) shows them all.
// Without this script (or without JavaScript) every stage shows, as before.
export function unfoldCases(root = document) {
  for (const box of root.querySelectorAll(".her2-case[data-unfold]:not([data-unfolding])")) {
    box.setAttribute("data-unfolding", "");
    const stages = [...box.querySelectorAll(".her2-case-stage")];
    if (stages.length < 2) continue;
    let showAll = false;
    const status = document.createElement("p");
    status.className = "her2-case-status";
    status.setAttribute("role", "status");
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "her2-case-showall";
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = "Show all stages";
    const help = document.createElement("span");
    help.className = "her2-case-showall-help";
    help.textContent = " For instructors and printing: every stage at once. Learners: answer each stage first.";
    const bar = document.createElement("p");
    bar.className = "her2-case-controls";
    bar.append(toggle, help);
    (box.querySelector(".her2-case-intro") || box).append(bar, status);
    const notes = stages.map((stage, i) => {
      const note = document.createElement("p");
      note.className = "her2-case-next";
      note.textContent = i + 1 < stages.length
        ? `Stage ${i + 2} of ${stages.length} appears when you have answered this stage's question.` : "";
      stage.append(note);
      return note;
    });
    const answered = (stage) => !!stage.querySelector("div.her2-quiz[data-answered]");
    const apply = () => {
      let last = -1;
      stages.forEach((stage, i) => { if (answered(stage)) last = i; });
      stages.forEach((stage, i) => {
        stage.hidden = !(showAll || i <= last + 1);
        notes[i].hidden = showAll || i !== last + 1 || i + 1 >= stages.length;
      });
    };
    apply();
    box.addEventListener("her2-quiz-answered", () => {
      const before = stages.filter((stage) => !stage.hidden).length;
      apply();
      const shown = stages.filter((stage) => !stage.hidden);
      if (showAll || shown.length <= before) return;
      const next = shown[shown.length - 1];
      const heading = next.querySelector(".her2-case-stage-title");
      status.textContent = `${heading ? heading.textContent.trim() : "The next stage"} is now shown.`;
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    });
    toggle.addEventListener("click", () => {
      showAll = !showAll;
      toggle.setAttribute("aria-pressed", String(showAll));
      apply();
    });
  }
}

const start = () => { mountAll(); unfoldCases(); };
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

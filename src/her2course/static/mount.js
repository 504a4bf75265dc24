// Mounts every quiz fallback (<div class="her2-quiz" data-spec='...'>) in the static book with the same quiz.js
// the live widget uses, and a stand-in for the widget model whose "responses" live in localStorage.
// Loaded on every page as a module (html_js_files: [[mount.js, {type: module}]]); the import resolves against
// this file's own URL. The ?v= below must change whenever quiz.js changes (tests/test_quiz_assets.py checks it).
import quiz from "./quiz.js?v=819b0addba";

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

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll());
else mountAll();

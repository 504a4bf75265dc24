// Key terms defined in place. A link to a glossary entry ({term} roles: <a href="...glossary.html#term-X"><span
// class="xref std std-term">) shows the entry's definition in a small pop-up on hover, on keyboard focus and on a
// first tap; a click, Enter or a second tap still opens the glossary. The pop-up stays while the pointer is over
// the link or the pop-up, closes on Escape, on a tap elsewhere, or when focus moves on; it never takes focus.
// Screen readers hear the definition as the link's description (aria-describedby). The definitions come from
// _static/her2-glossary.json, written by the build from the glossary page (her2course.sphinxext); the text is
// inserted as text, never as HTML. Loaded only on pages with term links (her2course.sitebuild).

const DATA = new URL("her2-glossary.json", import.meta.url);
const tips = new Map(); // term id -> pop-up element
let shown = null; // { link, tip, touch }
let hideTimer = 0;

function tipFor(id, entry) {
  let tip = tips.get(id);
  if (tip) return tip;
  tip = document.createElement("div");
  tip.className = "her2-term-tip";
  tip.id = `her2-tip-${id}`;
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  const term = document.createElement("strong");
  term.textContent = entry.term;
  const text = document.createElement("span");
  text.textContent = ` ${entry.definition}`;
  const touchHint = document.createElement("span");
  touchHint.className = "her2-term-tip-touch";
  touchHint.textContent = "Tap the term again to open the glossary.";
  tip.append(term, text, touchHint);
  tip.addEventListener("pointerenter", () => clearTimeout(hideTimer));
  tip.addEventListener("pointerleave", (e) => {
    if (e.pointerType === "mouse") hideSoon();
  });
  document.body.append(tip);
  tips.set(id, tip);
  return tip;
}

function place(link, tip) {
  const r = link.getBoundingClientRect();
  const width = Math.min(352, document.documentElement.clientWidth - 16);
  tip.style.maxWidth = `${width}px`;
  const left = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - width - 8));
  tip.style.left = `${left + window.scrollX}px`;
  tip.style.top = `${r.bottom + window.scrollY + 6}px`;
  const box = tip.getBoundingClientRect();
  if (box.bottom > window.innerHeight && r.top > box.height + 12) {
    tip.style.top = `${r.top + window.scrollY - box.height - 6}px`;
  }
}

function show(link, tip, touch = false) {
  clearTimeout(hideTimer);
  if (shown && shown.tip !== tip) hide();
  tip.classList.toggle("her2-term-tip-by-touch", touch);
  tip.hidden = false;
  place(link, tip);
  shown = { link, tip, touch };
}

function hide() {
  clearTimeout(hideTimer);
  if (shown) shown.tip.hidden = true;
  shown = null;
}

function hideSoon() {
  clearTimeout(hideTimer);
  hideTimer = setTimeout(hide, 300);
}

function enhance(link, id, entry) {
  const tip = tipFor(id, entry);
  const described = (link.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  if (!described.includes(tip.id)) link.setAttribute("aria-describedby", [...described, tip.id].join(" "));
  let openBeforeTap = false;
  link.addEventListener("pointerenter", (e) => {
    if (e.pointerType === "mouse") show(link, tip);
  });
  link.addEventListener("pointerleave", (e) => {
    if (e.pointerType === "mouse") hideSoon();
  });
  link.addEventListener("pointerdown", (e) => {
    openBeforeTap = e.pointerType !== "mouse" && shown !== null && shown.link === link;
    link.dataset.her2Pointer = e.pointerType;
  });
  link.addEventListener("focus", () => show(link, tip, link.dataset.her2Pointer === "touch"));
  link.addEventListener("blur", () => {
    if (!(shown && shown.touch)) hideSoon();
  });
  link.addEventListener("click", (e) => {
    const pointer = link.dataset.her2Pointer;
    delete link.dataset.her2Pointer;
    if (pointer && pointer !== "mouse" && !openBeforeTap) {
      // first tap: show the definition in place; the next tap follows the link
      e.preventDefault();
      show(link, tip, true);
    }
  });
}

function termId(link) {
  const hash = link.hash ? decodeURIComponent(link.hash.slice(1)) : "";
  return hash.startsWith("term-") ? hash : null;
}

async function init() {
  const links = [...document.querySelectorAll("a.reference.internal")].filter(
    (a) => a.querySelector("span.std-term") && termId(a),
  );
  if (!links.length) return;
  let terms;
  try {
    const response = await fetch(DATA, { cache: "no-cache" });
    if (!response.ok) return;
    terms = await response.json();
  } catch {
    return; // the links still lead to the glossary
  }
  for (const link of links) {
    const id = termId(link);
    const entry = terms[id];
    if (entry && typeof entry.term === "string" && typeof entry.definition === "string") enhance(link, id, entry);
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && shown) hide();
  });
  document.addEventListener("pointerdown", (e) => {
    if (shown && !shown.link.contains(e.target) && !shown.tip.contains(e.target)) hide();
  });
  window.addEventListener("resize", () => shown && place(shown.link, shown.tip));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

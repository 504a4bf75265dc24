// Tap to enlarge: a figure whose smallest text would show under 11 CSS px at the width it gets (a wide drawing on
// a phone; a diagram with no narrow drawing) gets an "Enlarge figure" button. The button opens a dialog that shows
// the figure at a width where its smallest text is at least 11 px; the dialog scrolls both ways, and Close or
// Escape closes it and returns focus to the button. Figures in <img> say how small their text is through
// data-min-text (the smallest font size as a fraction of the drawing's width, written by her2course.figures);
// inline SVG diagrams are measured. Works offline; loaded only on pages with figures (her2course.sitebuild).

const MIN_PX = 11;
const targets = new Map(); // element shown in the page -> its button

function imgFraction(img) {
  const picture = img.closest("picture");
  if (picture) {
    for (const source of picture.querySelectorAll("source")) {
      if (!source.media || window.matchMedia(source.media).matches) return Number(source.dataset.minText) || 0;
    }
  }
  return Number(img.dataset.minText) || 0;
}

function svgSmallest(svg) {
  let smallest = Infinity;
  for (const text of svg.querySelectorAll("text")) {
    if (!text.textContent.trim()) continue;
    const m = text.getScreenCTM();
    if (!m) continue;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b));
  }
  return smallest;
}

// [smallest text in CSS px as shown now, width in CSS px that brings it to MIN_PX] (null when not shown)
function measure(el) {
  const width = el.getBoundingClientRect().width;
  if (!width) return null;
  if (el.tagName === "IMG") {
    const fraction = imgFraction(el);
    return fraction ? [width * fraction, Math.ceil((MIN_PX * 1.02) / fraction)] : null;
  }
  const smallest = svgSmallest(el);
  return Number.isFinite(smallest) ? [smallest, Math.ceil((width * MIN_PX * 1.02) / smallest)] : null;
}

function captionOf(el) {
  const figure = el.closest("figure");
  const caption = figure && figure.querySelector("figcaption");
  return (caption && caption.textContent.trim()) || el.getAttribute("alt") || el.getAttribute("aria-label") || "";
}

function openDialog(el, button) {
  const needed = (measure(el) || [0, 0])[1];
  let dialog = button._her2Dialog;
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.className = "her2-zoom her2-no-print";
    dialog.setAttribute("aria-label", "Enlarged figure");
    const bar = document.createElement("div");
    bar.className = "her2-zoom-bar";
    const title = document.createElement("p");
    title.className = "her2-zoom-title";
    title.textContent = captionOf(el);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "her2-zoom-close";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    bar.append(title, close);
    const view = document.createElement("div");
    view.className = "her2-zoom-view";
    view.tabIndex = 0;
    view.setAttribute("role", "region");
    view.setAttribute("aria-label", "Enlarged figure (scroll to see all of it)");
    dialog.append(bar, view);
    dialog.addEventListener("close", () => button.focus());
    // inside the figure's own container, so style rules scoped to it (an inline diagram's classes) still apply
    button.after(dialog);
    button._her2Dialog = dialog;
  }
  const view = dialog.querySelector(".her2-zoom-view");
  let copy;
  if (el.tagName === "IMG") {
    copy = document.createElement("img");
    copy.src = el.currentSrc || el.src;
    copy.alt = el.alt;
  } else {
    copy = el.cloneNode(true);
    copy.removeAttribute("id");
    for (const node of copy.querySelectorAll("[id]")) node.removeAttribute("id");
  }
  copy.classList.add("her2-zoom-figure");
  copy.style.width = `${needed}px`;
  view.replaceChildren(copy);
  dialog.showModal();
  view.scrollLeft = 0;
  view.scrollTop = 0;
}

function addButton(el) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "her2-zoom-button her2-no-print";
  button.setAttribute("aria-haspopup", "dialog");
  button.textContent = "Enlarge figure";
  button.hidden = true;
  button.addEventListener("click", () => openDialog(el, button));
  const figure = el.closest("figure.her2-figure");
  const caption = figure && figure.querySelector(":scope > figcaption");
  if (caption) caption.before(button);
  else el.after(button);
  targets.set(el, button);
}

function update() {
  for (const [el, button] of targets) {
    const m = measure(el);
    button.hidden = !(m && m[0] < MIN_PX);
  }
}

function init() {
  for (const img of document.querySelectorAll("main figure.her2-figure img[data-min-text]")) addButton(img);
  for (const svg of document.querySelectorAll("main svg[role='img']")) {
    if (svg.querySelector("text")) addButton(svg);
  }
  if (!targets.size) return;
  update();
  let pending = 0;
  const later = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(update);
  };
  window.addEventListener("resize", later);
  document.addEventListener("change", later); // a gallery shows another diagram
  document.addEventListener("toggle", later, true); // a <details> opened (the gallery's key)
  window.addEventListener("load", later);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

/* Starts reveal.js for a course slide deck. Plain scripts (no modules): reveal.js and its notes plugin are the UMD
   builds vendored from the npm registry, so a deck also works when opened straight from a folder (file://). */

/* A table too tall for its slide scrolls inside its own region (.her2-table, which takes the keyboard focus: Tab to
   it or click it). While it has the focus, the up and down arrows and Page Up/Down scroll it, as in any scrolling
   box, instead of moving between slides; left and right arrows and space still move on. */
const SCROLL_KEYS = new Set(["ArrowUp", "ArrowDown", "PageUp", "PageDown"]);
function scrollsTheTable(event) {
  const region = event.target instanceof Element ? event.target.closest(".her2-table") : null;
  return region !== null && SCROLL_KEYS.has(event.key) && region.scrollHeight > region.clientHeight;
}

Reveal.initialize({
  hash: true,              // each slide has its own address: reload or share a link and stay on the slide
  controls: true,
  controlsTutorial: false,
  progress: true,
  slideNumber: "c/t",
  transition: "none",      // no motion: nothing to switch off for readers who ask for reduced motion
  backgroundTransition: "none",
  center: false,
  width: 1100,
  height: 780,
  margin: 0.04,
  keyboardCondition: (event) => !scrollsTheTable(event),
  help: true,              // "?" lists every keyboard shortcut
  plugins: [RevealNotes],  // "S" opens the speaker view with the notes
});

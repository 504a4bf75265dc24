/* Starts reveal.js for a course slide deck. Plain scripts (no modules): reveal.js and its notes plugin are the UMD
   builds vendored from the npm registry, so a deck also works when opened straight from a folder (file://). */
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
  help: true,              // "?" lists every keyboard shortcut
  plugins: [RevealNotes],  // "S" opens the speaker view with the notes
});

// YASGUI (from npm) renders a few controls that fail an accessibility audit: unlabelled inputs,
// tabs that point at panels not rendered yet, a button inside the tab list. Mend them whenever
// YASGUI redraws (every change is idempotent, so the observer settles).
(() => {
  const root = document.getElementById("yasgui");
  if (!root) return;
  const label = (selector, text) => {
    for (const el of root.querySelectorAll(selector)) {
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", text);
    }
  };
  const mend = () => {
    for (const tab of root.querySelectorAll("[role=tab][aria-controls]")) {
      if (!document.getElementById(tab.getAttribute("aria-controls"))) {
        tab.removeAttribute("aria-controls");
      }
    }
    for (const list of root.querySelectorAll("[role=tablist]")) {
      // YASGUI inserts new tabs before the button's wrapper: the wrapper stays, the button goes
      for (const button of list.querySelectorAll("button")) list.after(button);
    }
    label(".CodeMirror textarea", "SPARQL query");
    label("input.autocomplete", "SPARQL endpoint");
    label(".tab input[type=text]", "Tab name");
  };
  new MutationObserver(mend).observe(root, { childList: true, subtree: true, attributes: true,
                                             attributeFilter: ["aria-controls"] });
  mend();
})();

// Competence map: show a bubble's details beside it on hover and on keyboard focus.
(() => {
  const tip = document.getElementById("tip");
  const show = (event) => {
    const box = event.currentTarget.getBoundingClientRect();
    tip.textContent = event.currentTarget.dataset.tip;
    tip.style.left = `${window.scrollX + box.right + 8}px`;
    tip.style.top = `${window.scrollY + box.top}px`;
    tip.hidden = false;
  };
  const hide = () => { tip.hidden = true; };
  for (const bubble of document.querySelectorAll("a.bubble")) {
    bubble.addEventListener("mouseenter", show);
    bubble.addEventListener("focus", show);
    bubble.addEventListener("mouseleave", hide);
    bubble.addEventListener("blur", hide);
  }
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") hide(); });
})();

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
// "PNG": the chart's standalone SVG drawn on a canvas at twice its size, saved as a PNG file.
(() => {
  for (const link of document.querySelectorAll("a.as-png")) {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      const svg = await (await fetch(link.href)).text();
      const image = new Image();
      image.src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth * 2;
      canvas.height = image.naturalHeight * 2;
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(image.src);
      canvas.toBlob((png) => {
        const save = document.createElement("a");
        save.href = URL.createObjectURL(png);
        save.download = link.getAttribute("download");
        save.click();
        URL.revokeObjectURL(save.href);
      }, "image/png");
    });
  }
})();

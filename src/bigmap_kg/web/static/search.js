// Suggestions as you type in the header search box: the best names from /search?format=json
// fill the box's datalist; picking one that names a single thing opens its page.
(function () {
  const input = document.getElementById("site-search");
  const list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  let pages = new Map();
  let pending = null;
  input.addEventListener("input", function () {
    const q = input.value.trim();
    if (pages.has(input.value)) { window.location.href = pages.get(input.value); return; }
    if (q.length < 2) { list.replaceChildren(); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    fetch("/search?format=json&limit=8&q=" + encodeURIComponent(q), {signal: pending.signal})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        pages = new Map();
        const options = [];
        for (const group of data.groups) {
          for (const hit of group.hits) {
            const text = hit.label + " — " + hit.kind;
            pages.set(text, hit.page);
            const option = document.createElement("option");
            option.value = text;
            options.push(option);
          }
        }
        list.replaceChildren(...options);
      })
      .catch(function () {});
  });
})();

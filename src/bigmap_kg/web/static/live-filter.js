// Filter forms marked "live" apply each change at once, without a page load: the page at the
// URL the form would submit to is fetched, its [data-live] regions replace ours and its
// [data-count] texts (option counts, "n chosen") update ours; the URL keeps the state (back
// and forward work). Without scripts the form's Apply button submits it as usual.
(function () {
  "use strict";
  function target(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (value !== "") params.append(name, value); });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }
  function ticked(region) {
    return Array.prototype.map.call(region.querySelectorAll("input[type=checkbox]:checked"),
      function (box) { return box.name + "=" + box.value; });
  }
  function swap(doc) {
    document.querySelectorAll("[data-live]").forEach(function (old) {
      var fresh = doc.getElementById(old.id);
      if (!fresh) return;
      var keep = ticked(old);  // e.g. rows ticked for "compare selected"
      var node = document.importNode(fresh, true);
      node.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (keep.indexOf(box.name + "=" + box.value) >= 0) box.checked = true;
      });
      old.replaceWith(node);
    });
    document.querySelectorAll("[data-count]").forEach(function (old) {
      var fresh = doc.getElementById(old.id);
      if (!fresh) return;
      old.textContent = fresh.textContent;
      old.className = fresh.className;
      if (fresh.hasAttribute("aria-label")) old.setAttribute("aria-label", fresh.getAttribute("aria-label"));
    });
    document.title = doc.title;
  }
  document.querySelectorAll("form.live").forEach(function (form) {
    var timer = null, pending = null;
    function update() {
      var url = target(form);
      if (pending) pending.abort();
      pending = new AbortController();
      form.setAttribute("aria-busy", "true");
      fetch(url, { signal: pending.signal, headers: { Accept: "text/html" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          swap(new DOMParser().parseFromString(html, "text/html"));
          if (url !== location.pathname + location.search) history.pushState(null, "", url);
          form.removeAttribute("aria-busy");
        })
        .catch(function (error) { if (error.name !== "AbortError") form.submit(); });
    }
    form.addEventListener("change", function (event) {
      if (event.target.type !== "search") update();
    });
    form.addEventListener("input", function (event) {
      if (event.target.type !== "search") return;
      clearTimeout(timer);
      timer = setTimeout(update, 300);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      update();
    });
  });
  window.addEventListener("popstate", function () { location.reload(); });
})();

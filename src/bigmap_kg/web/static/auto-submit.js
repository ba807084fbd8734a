// Filter forms marked "auto-submit" apply a changed facet at once (the URL keeps the state);
// the Filter button stays for browsers without scripts.
document.querySelectorAll("form.auto-submit").forEach(function (form) {
  form.addEventListener("change", function () { form.requestSubmit(); });
});

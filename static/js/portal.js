// Site-wide behaviour, loaded on every page (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A rejected form: move focus to its error summary so keyboard and screen-reader
    // users hear what went wrong and can follow its links to each field.
    var summary = document.querySelector(".error-summary");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.hash.slice(1));
      if (!field) {
        return;
      }
      // Focus the field itself (a fragment link alone only scrolls), label in view.
      event.preventDefault();
      field.focus();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "center" });
    });
  });
})();

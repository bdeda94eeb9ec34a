// django-import-export's export page: the "Select all" box, without the inline
// onchange handler that the CSP blocks. onSelectToggleChange comes from the
// package's export_selectable_fields.js (the form's media).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", window.onSelectToggleChange);
    });
  });
})();

// Admin pages, loaded on every one of them (templates/admin/base_site.html).
(function () {
  "use strict";
  // Autocomplete fields (select2) name their combobox after the selected value
  // only: empty, as on an add page, they have no accessible name (axe-core
  // aria-input-field-name). Name them after the field's label, then the value.
  function nameAutocomplete(selection) {
    var rendered = selection.querySelector(".select2-selection__rendered[id]");
    if (!rendered) {
      return;
    }
    var fieldId = rendered.id.replace(/^select2-/, "").replace(/-container$/, "");
    var label = document.querySelector("label[for='" + fieldId + "']");
    if (!label) {
      return;
    }
    if (!label.id) {
      label.id = fieldId + "-label";
    }
    var names = label.id + " " + rendered.id;
    selection.setAttribute("aria-labelledby", names);
    rendered.setAttribute("aria-labelledby", names);
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType !== Node.ELEMENT_NODE) {
          return;
        }
        node.querySelectorAll(".select2-selection[role='combobox']").forEach(nameAutocomplete);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

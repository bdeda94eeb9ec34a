// Residency Hub (copy buttons and local times: portal.js): "add another" rows on
// the submission form.
(function () {
  "use strict";

  // Submission form: the page already has enough empty rows to work without
  // script; this only adds more, up to the formset's maximum.
  var ROW_ATTRIBUTES = ["id", "name", "for", "aria-describedby"];
  document.querySelectorAll(".submission-rows").forEach(function (group) {
    var prefix = group.dataset.prefix;
    var max = parseInt(group.dataset.maxRows, 10);
    var total = group.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var list = group.querySelector(".submission-rows-list");
    var template = group.querySelector("template.submission-row-template");
    var button = group.querySelector(".submission-row-add");
    if (!total || !list || !template || !button || !max) {
      return;
    }
    var count = function () { return parseInt(total.value, 10) || 0; };
    var update = function () { button.hidden = count() >= max; };
    button.addEventListener("click", function () {
      var index = count();
      if (index >= max) {
        return;
      }
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("*").forEach(function (element) {
        ROW_ATTRIBUTES.forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && value.indexOf("__prefix__") !== -1) {
            element.setAttribute(attribute, value.replace(/__prefix__/g, String(index)));
          }
        });
      });
      var number = row.querySelector(".submission-row-number");
      if (number) {
        number.textContent = String(index + 1);
      }
      list.appendChild(row);
      total.value = String(index + 1);
      update();
      var first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) {
        first.focus();
      }
    });
    update();
  });
})();

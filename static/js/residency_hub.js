// Residency Hub: copy calendar links, and hint when the device's time zone differs
// from the one the page uses.
(function () {
  "use strict";

  document.querySelectorAll(".copy-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copyTarget);
      if (!input) {
        return;
      }
      var original = button.textContent;
      var done = function () {
        button.textContent = button.dataset.copiedLabel || original;
        window.setTimeout(function () { button.textContent = original; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          input.select();
        });
      } else {
        input.select();
        try {
          document.execCommand("copy");
          done();
        } catch (error) {
          // Selected: the person can copy it by hand.
        }
      }
    });
  });

  var detected = "";
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    detected = "";
  }
  document.querySelectorAll(".timezone-note").forEach(function (note) {
    var hint = note.querySelector(".timezone-hint");
    var target = note.querySelector(".timezone-detected");
    if (!hint || !target || !detected || detected === note.dataset.currentZone) {
      return;
    }
    target.textContent = detected.replace(/_/g, " ");
    hint.classList.remove("d-none");
  });
})();

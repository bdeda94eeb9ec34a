// Site-wide behaviour, loaded on every page (no inline script: the CSP forbids it).
(function () {
  "use strict";

  // Remember the device's time zone (lmsa_tz) so the server can show times in it
  // when the member has not chosen one in their profile (lmsa_portal/middleware.py).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    var current = document.cookie.match(/(?:^|;\s*)lmsa_tz=([^;]*)/);
    if (/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone) && (!current || current[1] !== zone)) {
      document.cookie =
        "lmsa_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" +
        (window.location.protocol === "https:" ? "; Secure" : "");
    }
  } catch (error) {
    // No Intl time zone support: the server keeps its default zone.
  }

  // Times in the device's zone from the first page on: the server writes them in
  // the zone it knows (the cookie above, or settings.TIME_ZONE before the cookie
  // exists) as <time datetime data-format>; when that is not the device's zone and
  // the member chose none in their profile, rewrite them here, same text length
  // give or take, and name the zone in words ("Pacific Time", "hora del Pacífico").
  var FORMATS = {
    "datetime": { weekday: "long", year: "numeric", month: "long", day: "numeric",
                  hour: "numeric", minute: "2-digit" },
    "short-datetime": { weekday: "short", year: "numeric", month: "short", day: "numeric",
                        hour: "numeric", minute: "2-digit" },
    "time": { hour: "numeric", minute: "2-digit" },
    "time-zone": { hour: "numeric", minute: "2-digit", timeZoneName: "short" }
  };
  function zoneInWords(language, zone) {
    var styles = ["longGeneric", "long"];
    for (var i = 0; i < styles.length; i++) {
      try {
        var parts = new Intl.DateTimeFormat(language, { timeZone: zone, timeZoneName: styles[i] })
          .formatToParts(new Date());
        for (var j = 0; j < parts.length; j++) {
          if (parts[j].type === "timeZoneName") {
            return parts[j].value;
          }
        }
      } catch (error) {
        // This style is unknown to the browser: try the next one.
      }
    }
    return "";
  }
  function localiseTimes() {
    var root = document.body;
    var device = "";
    try {
      device = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return;
    }
    if (!device || root.dataset.timeZoneSource === "profile" || root.dataset.timeZone === device) {
      return;
    }
    var language = document.documentElement.lang || undefined;
    document.querySelectorAll("time[datetime][data-format]").forEach(function (element) {
      var options = FORMATS[element.dataset.format];
      var moment = new Date(element.getAttribute("datetime"));
      if (!options || isNaN(moment.getTime())) {
        return;
      }
      options = Object.assign({ timeZone: device }, options);
      element.textContent = new Intl.DateTimeFormat(language, options).format(moment);
    });
    var name = zoneInWords(language, device);
    if (name) {
      document.querySelectorAll("[data-zone-name]").forEach(function (element) {
        element.textContent = name;
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localiseTimes);
  } else {
    localiseTimes();
  }

  // "Copy link" buttons: <button data-copy-target="INPUT-ID" data-copied-label="Copied">,
  // optionally data-copy-status="ID" of a live region that announces the copy
  // (otherwise the button's own text says so for two seconds).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    var input = button && document.getElementById(button.dataset.copyTarget);
    if (!input) {
      return;
    }
    var status = document.getElementById(button.dataset.copyStatus || "");
    var original = button.textContent;
    var done = function () {
      var label = button.dataset.copiedLabel || original;
      if (status) {
        status.textContent = label;
        return;
      }
      button.textContent = label;
      window.setTimeout(function () { button.textContent = original; }, 2000);
    };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
      return;
    }
    try {
      document.execCommand("copy");
      done();
    } catch (error) {
      // Selected: the person can copy it by hand.
    }
  });

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

  // A field required only for some answers of another one:
  // <input data-required-when="OTHER_FIELD_NAME:value1,value2"> gets required,
  // aria-required and its label's asterisk (crispy's markup) while OTHER_FIELD_NAME
  // holds one of those values.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-required-when]").forEach(function (field) {
      var rule = field.getAttribute("data-required-when").split(":");
      var other = field.form && field.form.elements[rule[0]];
      var values = (rule[1] || "").split(",");
      var label = document.querySelector("label[for='" + field.id + "']");
      if (!other || !label) {
        return;
      }
      var update = function () {
        var required = values.indexOf(other.value) !== -1;
        field.required = required;
        field.setAttribute("aria-required", required ? "true" : "false");
        var mark = label.querySelector(".asteriskField");
        if (required && !mark) {
          mark = document.createElement("span");
          mark.className = "asteriskField";
          mark.textContent = "*";
          label.appendChild(mark);
        } else if (!required && mark) {
          mark.remove();
        }
        label.classList.toggle("requiredField", required);
      };
      other.addEventListener("change", update);
      update();
    });
  });
})();

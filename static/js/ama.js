/* AMA video page: load the provider's player on request and jump to chapters.
 *
 * The Facebook/YouTube iframe is created only when someone presses "Play the video"
 * or a chapter link, so nothing is fetched from those sites (and no cookie set)
 * before that, and a page without network access to them stays error-free.
 */
(function () {
  "use strict";

  var player = document.querySelector(".ama-player[data-embed-src]");
  if (!player) {
    return;
  }

  function embedUrl(seconds) {
    var url = new URL(player.dataset.embedSrc);
    if (seconds > 0) {
      url.searchParams.set(player.dataset.startParam, String(seconds));
      url.searchParams.set("autoplay", "1");
    }
    return url.toString();
  }

  function loadPlayer(seconds) {
    var iframe = player.querySelector("iframe");
    var src = embedUrl(seconds);
    if (!iframe) {
      iframe = document.createElement("iframe");
      iframe.title = player.dataset.playerTitle;
      iframe.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
      iframe.allowFullscreen = true;
      iframe.referrerPolicy = "strict-origin-when-cross-origin";
      player.replaceChildren(iframe);
    }
    iframe.src = src;
    player.dataset.loadedAt = String(seconds);
    return iframe;
  }

  // Served as a link to the provider (works without script); with script it
  // becomes a button of the same look that plays the video here.
  var link = player.querySelector("a.ama-load-player");
  var button = null;
  if (link) {
    button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.textContent = link.textContent;
    link.replaceWith(button);
  }
  if (button) {
    button.addEventListener("click", function () {
      // Arriving from a shared "#t=<seconds>" link plays from that moment.
      var match = /^#t=(\d+)$/.exec(window.location.hash);
      loadPlayer(match ? parseInt(match[1], 10) : 0).focus();
    });
  }

  document.querySelectorAll("a.ama-chapter[data-seconds]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var seconds = parseInt(link.dataset.seconds, 10) || 0;
      event.preventDefault();
      loadPlayer(seconds);
      // A shareable address for this moment: /ama/<slug>/#t=<seconds>.
      history.replaceState(null, "", "#t=" + seconds);
      player.scrollIntoView({ block: "nearest" });
    });
  });
})();

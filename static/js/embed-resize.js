// On a partner's page, beside the iframe of an embedded signing form: fit each frame of this
// site to the height its form says it has (embed-frame.js). Messages from any other origin,
// or from a window that is not one of those frames, are ignored.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data) return;
    var height = Number(event.data.campaignEmbedHeight);
    if (!isFinite(height) || height <= 0 || height > 10000) return;
    var frames = document.querySelectorAll("iframe[data-campaign-embed]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) frames[i].style.height = height + "px";
    }
  });
})();

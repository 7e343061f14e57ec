// In the embedded signing form (/s/<slug>/embed): tell the partner's page how tall the form
// is, whenever that changes (an error summary, the thank-you), so its frame fits without a
// scroll bar. The partner's page listens with embed-resize.js. Only a number is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ campaignEmbedHeight: height }, "*");
  }
  if ("ResizeObserver" in window) new ResizeObserver(tell).observe(document.documentElement);
  window.addEventListener("load", tell);
  tell();
})();

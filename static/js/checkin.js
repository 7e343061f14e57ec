/* Check-in at the door: scan a registrant's QR code with the phone's camera.

   Progressive enhancement. Without this script (or without a browser that has the
   BarcodeDetector API and a camera) the page works as it is: type a name or the
   reference code and press Find. With it, a "Scan a QR code" button appears; a scanned
   code fills the search box and the form is sent, so the registrant shows up with
   their one-tap Check in button. Nothing leaves the phone but the code itself. */
(function () {
  "use strict";

  var form = document.querySelector("[data-checkin-form]");
  if (!form) { return; }
  var input = form.querySelector("[data-checkin-input]");
  var scanButton = form.querySelector("[data-checkin-scan]");
  var video = form.querySelector("[data-checkin-video]");
  var status = form.querySelector("[data-checkin-status]");

  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }

  var startLabel = scanButton.textContent;
  var stopLabel = scanButton.getAttribute("data-label-stop") || startLabel;
  var stream = null;
  var timer = null;
  var detector;

  try {
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch (error) {
    return;
  }

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.hidden = true;
    scanButton.textContent = startLabel;
  }

  function found(code) {
    stop();
    input.value = code.trim();
    form.submit();
  }

  function look() {
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        found(codes[0].rawValue);
        return;
      }
      timer = window.setTimeout(look, 250);
    }).catch(function () {
      timer = window.setTimeout(look, 500);
    });
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (cameraStream) {
        stream = cameraStream;
        video.srcObject = stream;
        video.hidden = false;
        scanButton.textContent = stopLabel;
        status.textContent = "";
        return video.play();
      })
      .then(look)
      .catch(function (error) {
        stop();
        status.textContent = status.getAttribute(
          error && error.name === "NotAllowedError" ? "data-message-denied" : "data-message-unavailable"
        );
      });
  }

  scanButton.hidden = false;
  scanButton.addEventListener("click", function () {
    if (stream) { stop(); } else { start(); }
  });
  window.addEventListener("pagehide", stop);
}());

/* Small enhancements; every page works without them.
   - A form returned with errors: focus moves to the error summary, so screen readers
     announce it; its links move focus to the field they name, with its label in view.
   - button[data-copy]: a hidden "Copy" button is shown where the browser can copy; it copies
     the read-only text whose id it names and says so in the status element it names.
   - [data-live-count]: the count is fetched again every 30 seconds while the page is in
     view; the element is aria-live="polite", so a screen reader hears the new figure. */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    // A form posted to "page#section" makes the browser focus that section once the page has
    // loaded, after this script has run: take focus back to the summary then.
    window.addEventListener("load", function () {
      if (location.hash && document.activeElement !== summary) { summary.focus(); }
    });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  function enableCopyButtons() {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
          status.textContent = button.getAttribute("data-copied-label");
        });
      });
    });
  }

  function keepCountsLive() {
    document.querySelectorAll("[data-live-count]").forEach(function (element) {
      var url = element.getAttribute("data-live-count");
      window.setInterval(function () {
        if (document.hidden || !window.fetch) { return; }
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            if (data && data.label && element.textContent.trim() !== data.label) {
              element.textContent = data.label;
            }
          })
          .catch(function () { /* offline for a moment: the next round tries again */ });
      }, 30000);
    });
  }

  function carryReferrer() {
    var referrer = document.referrer;
    if (!referrer || referrer.indexOf(location.origin + "/") === 0) { return; }
    document.querySelectorAll("input[data-referrer]").forEach(function (input) {
      if (!input.value) { input.value = referrer; }
    });
  }

  focusErrorSummary();
  enableCopyButtons();
  carryReferrer();
  keepCountsLive();
}());

/* Signals for the proctor: the tab hidden, focus lost, paste and copy, leaving full screen, back online. */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  var eventUrl = page.form.getAttribute("data-event-url");
  function report(type, extra) {
    var body = {type: type, client_time: new Date().toISOString(), slot: parseInt(page.slot, 10)};
    if (extra) { Object.keys(extra).forEach(function (k) { body[k] = extra[k]; }); }
    fetch(eventUrl, {method: "POST", credentials: "same-origin", keepalive: true,
                     headers: {"Content-Type": "application/json", "X-CSRF-Token": page.csrf},
                     body: JSON.stringify(body)})
      .catch(function () { /* offline: the proctor sees the connection state instead */ });
  }
  page.report = report;
  document.addEventListener("visibilitychange", function () {
    report(document.visibilityState === "hidden" ? "visibility_hidden" : "visibility_visible");
  });
  window.addEventListener("blur", function () { report("focus_lost"); });
  window.addEventListener("focus", function () { report("focus_regained"); });
  document.addEventListener("paste", function () { report("paste_attempt"); });
  document.addEventListener("copy", function () { report("copy_attempt"); });
  document.addEventListener("fullscreenchange", function () { if (!document.fullscreenElement) { report("fullscreen_exit"); } });
  report("item_viewed");
  /* This page came from the server: whatever outage an earlier page noted is over. */
  if (window.navigator.onLine !== false) { page.network.cameBack(); }
})(window.examPage);

/* The network as this page knows it: down since when (kept for the tab, so the proctor hears how long). */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  var offlineKey = "examengine.offline-since." + page.attempt;
  var lastContact = Date.now();
  function downSince() {
    var since = parseInt(window.sessionStorage.getItem(offlineKey), 10);
    return isNaN(since) ? null : since;
  }
  function isOffline() { return window.navigator.onLine === false || downSince() !== null; }
  function wentDown() {
    if (downSince() === null) { window.sessionStorage.setItem(offlineKey, String(Date.now())); }
    showOfflineTime();
  }
  function cameBack() {
    lastContact = Date.now();
    var since = downSince();
    if (since === null) { return; }
    window.sessionStorage.removeItem(offlineKey);
    showOfflineTime();
    if (page.report) { page.report("online", {offline_seconds: Math.max(0, Math.round((Date.now() - since) / 1000))}); }
  }
  /* Is the server reachable? Known from the last few seconds' requests (true/false), or null: unsure. */
  function reachable() {
    if (isOffline()) { return false; }
    return Date.now() - lastContact < 6000 ? true : null;
  }
  page.network = {isOffline: isOffline, wentDown: wentDown, cameBack: cameBack, reachable: reachable};
  /* For live.js, whose polls tell best whether the server can be reached. */
  window.examNetwork = {
    reached: function () { if (window.navigator.onLine !== false) { cameBack(); } },
    failed: wentDown,
    down: isOffline
  };

  /* "Offline for 1 min 20 s": its own element without aria-live, so the counter never floods a screen reader; the
     status region beside it speaks only when the state changes. */
  var offlineTime = document.createElement("p");
  offlineTime.id = "offline-time";
  offlineTime.className = "offline-time";
  offlineTime.hidden = true;
  if (page.statusEl) { page.statusEl.parentNode.insertBefore(offlineTime, page.statusEl); }
  function showOfflineTime() {
    var since = downSince();
    if (since === null && window.navigator.onLine !== false) { offlineTime.hidden = true; return; }
    if (since === null) { since = Date.now(); }
    var seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
    var text = "Offline for " + (seconds >= 60 ? Math.floor(seconds / 60) + " min " : "") + (seconds % 60) + " s";
    if (offlineTime.textContent !== text) { offlineTime.textContent = text; }
    offlineTime.hidden = false;
  }
  window.setInterval(showOfflineTime, 1000);
})(window.examPage);

/* examengine exam page: autosave with an offline queue, the server's countdown, and browser signals.
   The page works without this file (plain form posts); with it, every change is saved at once. Time always
   comes from the server: the local countdown only interpolates between the server's answers. */
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  var timer = document.getElementById("timer");
  var timerText = document.getElementById("timer-text");
  var warning = document.getElementById("time-warning");
  var statusEl = document.getElementById("save-status");
  var csrfField = document.querySelector('input[name="csrf_token"]');
  var csrf = csrfField ? csrfField.value : "";

  /* ---- the countdown ---- */
  var endsAt = null;
  var budget = timer ? parseInt(timer.getAttribute("data-budget"), 10) : NaN;
  var warned = {};
  function syncClock(remainingSeconds) {
    if (remainingSeconds === null || remainingSeconds === undefined || isNaN(remainingSeconds)) { return; }
    endsAt = performance.now() + remainingSeconds * 1000;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (endsAt === null || !timerText) { return; }
    var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    timerText.textContent = Math.floor(left / 3600) + ":" + pad(Math.floor((left % 3600) / 60)) + ":" + pad(left % 60);
    if (!isNaN(budget) && budget > 0) {
      [[0.2, "20"], [0.05, "5"]].forEach(function (step) {
        if (left <= budget * step[0] && !warned[step[1]]) {
          warned[step[1]] = true;
          timer.classList.add("low");
          warning.textContent = "About " + Math.ceil(left / 60) + " minutes left (" + step[1] + " percent of your time).";
        }
      });
    }
    if (left === 0) { window.setTimeout(function () { window.location.reload(); }, 1500); endsAt = null; }
  }
  if (timer) {
    syncClock(parseInt(timer.getAttribute("data-remaining"), 10));
    tick();
    window.setInterval(tick, 1000);
  }
  /* For live.js: the server's remaining time restarts the countdown; freeze shows it and stops (paused). */
  window.examClock = {
    set: function (seconds) { syncClock(seconds); tick(); },
    freeze: function (seconds) { syncClock(seconds); tick(); endsAt = null; },
    remaining: function () { return endsAt === null ? null : Math.max(0, (endsAt - performance.now()) / 1000); }
  };

  if (!form) { return; }
  var attempt = form.getAttribute("data-attempt");
  var slot = form.getAttribute("data-slot");
  var queueKey = "ee-queue-" + attempt;
  var seqKey = function (s) { return "ee-seq-" + attempt + "-" + s; };

  /* ---- the save queue, kept in localStorage so a reload or a cut network loses nothing ---- */
  function readQueue() {
    try { return JSON.parse(window.localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    try { window.localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* storage full: sent live only */ }
  }
  function nextSeq(forSlot, serverSeq) {
    var stored = parseInt(window.localStorage.getItem(seqKey(forSlot)) || "0", 10);
    var next = Math.max(stored, serverSeq || 0) + 1;
    window.localStorage.setItem(seqKey(forSlot), String(next));
    return next;
  }
  function formBody() {
    var data = new FormData(form);
    data.delete("csrf_token");
    data.delete("action");
    return new URLSearchParams(data).toString();
  }
  function showStatus(text) { if (statusEl && statusEl.textContent !== text) { statusEl.textContent = text; } }
  function showWaiting(queue) {
    showStatus(queue.length ? "Offline — answers kept on this device, " + queue.length + " waiting" : "Saved");
  }

  var sending = false;
  function flush() {
    if (sending) { return; }
    var queue = readQueue();
    if (!queue.length) { showStatus("Saved"); return; }
    var entry = queue[0];
    sending = true;
    showStatus("Saving…");
    fetch("/candidate/attempts/" + attempt + "/items/" + entry.slot + "/save", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf, "X-Seq": String(entry.seq)},
      body: entry.body
    }).then(function (response) {
      if (response.redirected) {
        /* The session ended (signed out, or the proctor moved the exam to another device): the save went to the
           sign-in page and was not stored. */
        return {status: 401, body: {error: {code: "signed_out",
                message: "You are signed out on this device: sign in again; this answer is kept here until then."}}};
      }
      return response.json().then(function (body) { return {status: response.status, body: body}; },
                                  function () { return {status: response.status, body: {}}; });
    }).then(function (result) {
      sending = false;
      if (result.status >= 500) { showWaiting(readQueue()); return; }
      var code = result.body.error && result.body.error.code;
      if (code === "device_locked" || code === "signed_out") {
        /* Not saved, but not refused for its content: keep it queued and let the page that loads say what to do. */
        showStatus(result.body.error.message);
        window.setTimeout(function () { window.location.reload(); }, 2500);
        return;
      }
      var rest = readQueue().filter(function (e) { return !(e.slot === entry.slot && e.seq === entry.seq); });
      writeQueue(rest);
      if (result.status === 200) {
        syncClock(result.body.remaining_seconds);
        flush();
      } else {
        var message = (result.body.error && result.body.error.message) || "This answer could not be saved.";
        showStatus(message);
        if (result.status === 409) { window.setTimeout(function () { window.location.reload(); }, 2500); }
      }
    }, function () {
      sending = false;
      showWaiting(readQueue());
    });
  }

  function queueCurrentAnswer() {
    if (form.getAttribute("data-paused") === "yes") { return; }
    var serverSeq = parseInt(form.getAttribute("data-saved-seq"), 10);
    var entry = {slot: slot, seq: nextSeq(slot, serverSeq), body: formBody()};
    var queue = readQueue().filter(function (e) { return e.slot !== slot; });
    queue.push(entry);
    writeQueue(queue);
    flush();
  }
  var typing = null;
  form.addEventListener("change", function () { window.clearTimeout(typing); queueCurrentAnswer(); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") {
      window.clearTimeout(typing);
      typing = window.setTimeout(queueCurrentAnswer, 600);
    }
  });
  form.addEventListener("submit", function () {
    /* Navigation posts the whole form; it carries the newest seq, so anything still queued for this slot is older. */
    var seqField = document.createElement("input");
    seqField.type = "hidden";
    seqField.name = "seq";
    seqField.value = String(nextSeq(slot, parseInt(form.getAttribute("data-saved-seq"), 10)));
    form.appendChild(seqField);
    writeQueue(readQueue().filter(function (e) { return e.slot !== slot; }));
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  flush();

  /* ---- signals for the proctor ---- */
  var eventUrl = form.getAttribute("data-event-url");
  function report(type, extra) {
    var body = {type: type, client_time: new Date().toISOString(), slot: parseInt(slot, 10)};
    if (extra) { Object.keys(extra).forEach(function (k) { body[k] = extra[k]; }); }
    fetch(eventUrl, {method: "POST", credentials: "same-origin", keepalive: true,
                     headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                     body: JSON.stringify(body)})
      .catch(function () { /* offline: the proctor sees the connection state instead */ });
  }
  /* How long the network was gone, reported when it returns: the proctor may credit it (never automatic). */
  var offlineKey = "examengine.offline-since." + form.getAttribute("data-attempt");
  window.addEventListener("offline", function () {
    if (!sessionStorage.getItem(offlineKey)) { sessionStorage.setItem(offlineKey, String(Date.now())); }
  });
  window.addEventListener("online", function () {
    var since = parseInt(sessionStorage.getItem(offlineKey), 10);
    sessionStorage.removeItem(offlineKey);
    if (!isNaN(since)) { report("online", {offline_seconds: Math.max(0, Math.round((Date.now() - since) / 1000))}); }
  });
  document.addEventListener("visibilitychange", function () {
    report(document.visibilityState === "hidden" ? "visibility_hidden" : "visibility_visible");
  });
  window.addEventListener("blur", function () { report("focus_lost"); });
  window.addEventListener("focus", function () { report("focus_regained"); });
  document.addEventListener("paste", function () { report("paste_attempt"); });
  document.addEventListener("copy", function () { report("copy_attempt"); });
  document.addEventListener("fullscreenchange", function () { if (!document.fullscreenElement) { report("fullscreen_exit"); } });
  report("item_viewed");
})();

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
  /* "Saved" only once something was saved from this page: before the first answer the status stays empty. */
  var savedSomething = false;
  function showIdle() { showStatus(savedSomething ? "Saved" : ""); }
  function showWaiting(queue) {
    if (queue.length) { showStatus("Offline — answers kept on this device, " + queue.length + " waiting"); } else { showIdle(); }
  }

  /* ---- the question navigator follows every save, not only the next page load ---- */
  function navEntry(forSlot) {
    return document.querySelector('.navigator a.nav-slot[href$="/items/' + forSlot + '"]');
  }
  function markNav(forSlot, answered, flagged) {
    var link = navEntry(forSlot);
    if (!link) { return; }
    if (answered === null) { answered = link.classList.contains("answered"); }
    if (flagged === null) { flagged = link.classList.contains("flagged"); }
    link.classList.toggle("answered", answered);
    link.classList.toggle("flagged", flagged);
    link.setAttribute("aria-label", "Question " + forSlot + ", " + (answered ? "answered" : "not answered") +
                      (flagged ? ", flagged" : ""));
    link.textContent = forSlot + (flagged ? " ⚑" : "") + (answered ? " ✓" : "");
  }
  function bodyAnswers(body) {
    /* Whether a saved form body holds an answer: any response field with a value. */
    var any = false;
    new URLSearchParams(body).forEach(function (value) { if (value.trim() !== "") { any = true; } });
    return any;
  }

  var sending = false;
  function flush() {
    if (sending) { return; }
    var queue = readQueue();
    if (!queue.length) { if (typing === null) { showIdle(); } return; }
    var entry = queue[0];
    sending = true;
    showStatus("Saving…");
    saveRequest(entry, false).then(function (response) {
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
        savedSomething = true;
        markNav(entry.slot, bodyAnswers(entry.body), null);
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

  function saveRequest(entry, keepalive) {
    return fetch("/candidate/attempts/" + attempt + "/items/" + entry.slot + "/save", {
      method: "POST", credentials: "same-origin", keepalive: keepalive,
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf, "X-Seq": String(entry.seq)},
      body: entry.body
    });
  }
  function queueCurrentAnswer(keepalive) {
    window.clearTimeout(typing);
    typing = null;
    if (form.getAttribute("data-paused") === "yes") { showIdle(); return; }
    var serverSeq = parseInt(form.getAttribute("data-saved-seq"), 10);
    var entry = {slot: slot, seq: nextSeq(slot, serverSeq), body: formBody()};
    var queue = readQueue().filter(function (e) { return e.slot !== slot; });
    queue.push(entry);
    writeQueue(queue);
    if (!keepalive) { flush(); return; }
    /* The page is going away: send it now with keepalive, which outlives the page; it also stays queued here,
       and a replay of an already stored seq changes nothing. */
    saveRequest(entry, true).then(function (response) {
      if (response.ok && !response.redirected) {
        writeQueue(readQueue().filter(function (e) { return !(e.slot === entry.slot && e.seq === entry.seq); }));
      }
    }, function () { /* offline: it stays queued */ });
  }
  var typing = null;
  form.addEventListener("change", function () { queueCurrentAnswer(false); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") {
      window.clearTimeout(typing);
      if (form.getAttribute("data-paused") !== "yes") { showStatus("Saving…"); }
      typing = window.setTimeout(function () { queueCurrentAnswer(false); }, 600);
    }
  });
  /* Closing the tab or switching away right after typing: the debounced answer goes out at once. */
  function sendPending() { if (typing !== null) { queueCurrentAnswer(true); } }
  window.addEventListener("pagehide", sendPending);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { sendPending(); }
  });

  /* ---- Flag for review toggles in place (aria-pressed); without JavaScript it is a form post ---- */
  var flagButton = form.querySelector("button.flag-toggle");
  if (flagButton) {
    flagButton.addEventListener("click", function (event) {
      if (form.getAttribute("data-paused") === "yes") { return; }
      event.preventDefault();
      var flagging = flagButton.getAttribute("aria-pressed") !== "true";
      var data = new URLSearchParams(new FormData(form));
      data.set("action", flagging ? "flag" : "unflag");
      data.set("seq", String(nextSeq(slot, parseInt(form.getAttribute("data-saved-seq"), 10))));
      var body = formBody();
      window.clearTimeout(typing);
      typing = null;
      writeQueue(readQueue().filter(function (e) { return e.slot !== slot; }));  /* the post carries the answer */
      flagButton.disabled = true;
      fetch(form.getAttribute("action"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: data.toString()
      }).then(function (response) {
        flagButton.disabled = false;
        var landed = new URL(response.url, window.location.href).pathname;
        if (!response.ok || landed !== window.location.pathname) { window.location.assign(response.url); return; }
        flagButton.setAttribute("aria-pressed", flagging ? "true" : "false");
        flagButton.value = flagging ? "unflag" : "flag";
        savedSomething = true;
        markNav(slot, bodyAnswers(body), flagging);
        showIdle();
      }, function () {
        flagButton.disabled = false;
        /* The answer is kept (queued, sent when the network returns); the flag needs the network. */
        var queue = readQueue().filter(function (e) { return e.slot !== slot; });
        queue.push({slot: slot, seq: nextSeq(slot, parseInt(form.getAttribute("data-saved-seq"), 10)), body: body});
        writeQueue(queue);
        showStatus("Offline — the flag is not saved yet: press Flag for review again when the network is back.");
      });
    });
  }
  form.addEventListener("submit", function () {
    window.clearTimeout(typing);
    typing = null;
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

  /* ---- the essay's live word count, with the item's expected length when it has one ---- */
  function countWords(text) { var trimmed = text.trim(); return trimmed ? trimmed.split(/\s+/).length : 0; }
  Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (box) {
    var out = document.getElementById(box.id + "-count");
    if (!out) { return; }
    var expected = out.textContent.trim();  /* the item's expected length, as the renderer words it, or empty */
    function update() {
      var words = countWords(box.value);
      var text = words + (words === 1 ? " word" : " words");
      if (expected) { text += ", " + box.value.length + " characters. " + expected; }
      out.textContent = text;
    }
    box.addEventListener("input", update);
    update();
  });

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

/* Autosave: the save queue, kept in localStorage so a reload or a cut network loses nothing, replayed in order.
   Entries: {slot, seq, body} an answer (the newest per slot), {slot, flag: true|false} a flag for review.
   The question navigator follows every save, not only the next page load. */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  var form = page.form;
  var network = page.network;
  var showStatus = page.showStatus;
  var queueKey = "ee-queue-" + page.attempt;
  var seqKey = function (s) { return "ee-seq-" + page.attempt + "-" + s; };

  function readQueue() {
    try { return JSON.parse(window.localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    try { window.localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* storage full: sent live only */ }
  }
  function isFlag(entry) { return entry.flag === true || entry.flag === false; }
  function withoutAnswer(queue, forSlot) {
    return queue.filter(function (e) { return isFlag(e) || e.slot !== forSlot; });
  }
  function nextSeq(forSlot, serverSeq) {
    var stored = parseInt(window.localStorage.getItem(seqKey(forSlot)) || "0", 10);
    var next = Math.max(stored, serverSeq || 0) + 1;
    window.localStorage.setItem(seqKey(forSlot), String(next));
    return next;
  }
  function savedSeq() { return parseInt(form.getAttribute("data-saved-seq"), 10); }
  function formBody() { return bodyOf(form); }
  function bodyOf(someForm) {
    var data = new FormData(someForm);
    data.delete("csrf_token");
    data.delete("action");
    data.delete("seq");
    return new URLSearchParams(data).toString();
  }
  /* "Saved" only once something was saved from this page: before the first answer the status stays empty. */
  var savedSomething = false;
  function markSaved() { savedSomething = true; }
  function showIdle() { showStatus(savedSomething ? "Saved" : ""); }
  function showWaiting(queue) {
    if (queue.length) {
      showStatus("Offline — answers kept on this device, " + queue.length + " waiting");
    } else if (network.isOffline()) {
      showStatus("Offline — answers are kept on this device until the network returns");
    } else { showIdle(); }
  }

  /* ---- the question navigator ---- */
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
  function navState(forSlot) {
    var link = navEntry(forSlot);
    return {answered: !!link && link.classList.contains("answered"), flagged: !!link && link.classList.contains("flagged")};
  }
  function bodyAnswers(body) {
    /* Whether a saved form body holds an answer: any response field with a value. */
    var any = false;
    new URLSearchParams(body).forEach(function (value, name) {
      if (name !== "question_hidden" && value.trim() !== "") { any = true; }
    });
    return any;
  }
  /* What the queue holds marks the navigator at once while offline: it is kept here and sent later. */
  function markQueued(queue) {
    queue.forEach(function (e) {
      if (isFlag(e)) { markNav(e.slot, null, e.flag); } else { markNav(e.slot, bodyAnswers(e.body), null); }
    });
  }

  /* ---- the replay ---- */
  var sending = false;
  /* Leaving the page (the exam ended, the clock ran out) waits until the queue has replayed and what the server
     said about it has been read: otherwise "not saved, the exam had ended" would never be seen. At most 20 s. */
  var settledWaiters = [];
  function whenAnswersSettled(callback) {
    if (!sending && !readQueue().length) { callback(); return; }
    var once = function () { if (once.done) { return; } once.done = true; callback(); };
    settledWaiters.push(once);
    window.setTimeout(once, 20000);
    flush();
  }
  function settle(delayMs, otherwise) {
    var waiters = settledWaiters;
    settledWaiters = [];
    if (!waiters.length && !otherwise) { return; }
    window.setTimeout(function () {
      if (waiters.length) { waiters.forEach(function (callback) { callback(); }); } else { otherwise(); }
    }, delayMs);
  }
  window.examQueue = {whenSettled: whenAnswersSettled};
  function flush() {
    if (sending) { return; }
    var queue = readQueue();
    if (!queue.length) { if (typing === null) { showWaiting(queue); } settle(0, null); return; }
    var entry = queue[0];
    sending = true;
    showStatus("Saving…");
    (isFlag(entry) ? flagRequest(entry) : saveRequest(entry, false)).then(function (response) {
      network.cameBack();
      if (isFlag(entry)) { return flagOutcome(entry, response); }
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
      var rest = readQueue().filter(function (e) { return !sameEntry(e, entry); });
      writeQueue(rest);
      if (result.status === 200) {
        savedSomething = true;
        if (isFlag(entry)) { markNav(entry.slot, null, entry.flag); } else { markNav(entry.slot, bodyAnswers(entry.body), null); }
        if (result.body.remaining_seconds !== undefined) { page.syncClock(result.body.remaining_seconds); }
        flush();
      } else if (code === "attempt_closed") {
        /* The server is the only judge of time: what reached it after the end is not kept. */
        var lost = rest.length + 1;
        writeQueue([]);
        showStatus("Not saved: the exam had already ended when " + (lost === 1 ? "this answer" : lost + " answers") +
                   " reached the server. Only what arrived in time counts.");
        settle(6000, function () { window.location.reload(); });
      } else {
        var message = (result.body.error && result.body.error.message) || "This answer could not be saved.";
        showStatus(message);
        if (result.status === 409) { window.setTimeout(function () { window.location.reload(); }, 2500); }
      }
    }, function () {
      sending = false;
      network.wentDown();
      var waiting = readQueue();
      markQueued(waiting);
      showWaiting(waiting);
    });
  }
  function sameEntry(a, b) {
    return a.slot === b.slot && (isFlag(a) ? isFlag(b) && a.flag === b.flag : !isFlag(b) && a.seq === b.seq);
  }

  /* A request the network swallows (no answer, no error) must not hold the queue: after `ms` it counts as failed;
     if it did arrive, the replay of the same seq (or flag) changes nothing. */
  function timed(url, options, ms) {
    if (!window.AbortController) { return fetch(url, options); }
    var controller = new AbortController();
    var timeout = window.setTimeout(function () { controller.abort(); }, ms);
    options.signal = controller.signal;
    return fetch(url, options).then(function (response) { window.clearTimeout(timeout); return response; },
                                    function (error) { window.clearTimeout(timeout); throw error; });
  }
  function saveRequest(entry, keepalive) {
    var options = {
      method: "POST", credentials: "same-origin", keepalive: keepalive,
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": page.csrf, "X-Seq": String(entry.seq)},
      body: entry.body
    };
    var url = page.base + "/items/" + entry.slot + "/save";
    return keepalive ? fetch(url, options) : timed(url, options, 20000);  /* keepalive outlives the page: no timer */
  }
  /* A flag kept while offline goes as the page's own flag post, without the answer (question_hidden: the answer
     has its own place in the queue). */
  function flagRequest(entry) {
    var data = new URLSearchParams();
    data.set("csrf_token", page.csrf);
    data.set("question_hidden", "yes");
    data.set("action", entry.flag ? "flag" : "unflag");
    return timed(page.base + "/items/" + entry.slot, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: data.toString()
    }, 20000);
  }
  function flagOutcome(entry, response) {
    var base = page.base;
    var landed = new URL(response.url, window.location.href).pathname;
    if (response.ok && landed.indexOf(base) === 0 && landed !== base + "/done") { return {status: 200, body: {}}; }
    if (landed === base + "/done") {
      return {status: 409, body: {error: {code: "attempt_closed", message: "The exam has ended."}}};
    }
    if (response.ok && landed.indexOf(base) !== 0) {
      return {status: 401, body: {error: {code: "signed_out",
              message: "You are signed out on this device: sign in again; this flag is kept here until then."}}};
    }
    return response.text().then(function (text) {
      if (response.status === 409 && text.indexOf("open on another device") >= 0) {
        return {status: 409, body: {error: {code: "device_locked", message: "This exam is open on another device."}}};
      }
      return {status: response.status, body: {error: {code: "flag_refused",
              message: "The flag for question " + entry.slot + " could not be saved."}}};
    });
  }

  /* ---- the answer on the page goes into the queue: at once for a choice, 600 ms after the last keystroke ---- */
  function queueCurrentAnswer(keepalive) {
    window.clearTimeout(typing);
    typing = null;
    if (page.paused()) { showIdle(); return; }
    var slot = page.slot;
    var entry = {slot: slot, seq: nextSeq(slot, savedSeq()), body: formBody()};
    var queue = withoutAnswer(readQueue(), slot);
    queue.push(entry);
    writeQueue(queue);
    page.rememberBody(slot, entry.body);
    if (!keepalive) { flush(); return; }
    /* The page is going away: send it now with keepalive, which outlives the page; it also stays queued here,
       and a replay of an already stored seq changes nothing. */
    saveRequest(entry, true).then(function (response) {
      if (response.ok && !response.redirected) {
        writeQueue(readQueue().filter(function (e) { return !sameEntry(e, entry); }));
      }
    }, function () { /* offline: it stays queued */ });
  }
  var typing = null;
  /* An answer typed in the last 600 ms goes into the queue now (before a flag or a move). */
  function queueTyped() { if (typing !== null) { queueCurrentAnswer(false); } }
  /* The page posts the whole form itself (a move): the typed answer goes with it. */
  function stopTyping() { window.clearTimeout(typing); typing = null; }
  form.addEventListener("change", function () { queueCurrentAnswer(false); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") {
      window.clearTimeout(typing);
      if (!page.paused()) { showStatus("Saving…"); }
      typing = window.setTimeout(function () { queueCurrentAnswer(false); }, 600);
    }
  });
  /* Closing the tab or switching away right after typing: the debounced answer goes out at once. */
  function sendPending() { if (typing !== null) { queueCurrentAnswer(true); } }
  window.addEventListener("pagehide", sendPending);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { sendPending(); }
  });

  /* The replay: now, every 5 s, and when the browser says the network is back. */
  window.addEventListener("offline", function () { network.wentDown(); showWaiting(readQueue()); });
  window.addEventListener("online", function () { network.cameBack(); flush(); });
  window.setInterval(flush, 5000);

  /* An answer given before these scripts ran (a slow connection, a quick hand) fired its change event with nobody
     listening. The form as the server sent it is this form reset (the browser's own rules: a list's first option,
     a slider's middle, a number's clean-up); only an answer other than that one is the candidate's. */
  function changedBeforeListening() {
    if (!page.itemBody || page.paused()) { return false; }
    var sent = form.cloneNode(true);
    sent.reset();
    return bodyOf(sent) !== formBody();
  }
  /* Noted now, before answers.js may put a queued answer on the page; queued once every part has run (it keeps a
     copy of the answer in this tab), and it wins over an answer queued earlier for this question. */
  page.answeredEarly = changedBeforeListening();
  if (page.answeredEarly) {
    document.addEventListener("DOMContentLoaded", function () { queueCurrentAnswer(false); });
  }
  flush();

  page.queue = {
    read: readQueue, write: writeQueue, isFlag: isFlag, withoutAnswer: withoutAnswer, nextSeq: nextSeq,
    savedSeq: savedSeq, formBody: formBody, markSaved: markSaved, showIdle: showIdle, showWaiting: showWaiting,
    flush: flush, timed: timed, queueTyped: queueTyped, stopTyping: stopTyping
  };
  page.navigator = {entry: navEntry, mark: markNav, state: navState, bodyAnswers: bodyAnswers};
})(window.examPage);

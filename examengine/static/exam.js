/* examengine exam page: autosave with an offline queue, the server's countdown, and browser signals.
   The page works without this file (plain form posts); with it, every change is saved at once. Time always
   comes from the server: the local countdown only interpolates between the server's answers.
   Offline: while the server is reachable every move is the server's own page load; when it is not, the page moves
   between the open items it prefetched (GET .../offline), queues answers and flags in order, and shows a review
   from what the device holds. A forward-only exam's next question always comes from the server. */
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
    if (left === 0) { endsAt = null; timeUp(); }
  }
  /* The local clock ran out: the server decides. Offline, a reload would only show the browser's error page, so
     the page waits for the network and says so. */
  var reloadWhenOnline = false;
  function timeUp() {
    if (window.navigator.onLine !== false && !(window.examNetwork && window.examNetwork.down())) {
      window.setTimeout(function () { window.location.reload(); }, 1500);
      return;
    }
    reloadWhenOnline = true;
    if (warning) {
      warning.textContent = "Time is up on this device's clock. The server's clock decides: answers kept on this " +
        "device are sent when the network returns, and only those that arrive in time count.";
      warning.classList.remove("visually-hidden");
      warning.classList.add("alert");
    }
  }
  window.addEventListener("online", function () {
    /* the answer queue replays first (its own "online" handler), then the server's page says how it ended */
    if (reloadWhenOnline) { whenAnswersSettled(function () { window.location.reload(); }); }
  });
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

  /* The items and answers this tab kept for offline use go with the submission (or the section's end). */
  Array.prototype.forEach.call(document.querySelectorAll("form.submit-form"), function (done) {
    done.addEventListener("submit", function () {
      Object.keys(window.sessionStorage).forEach(function (key) {
        if (key.indexOf("ee-kit-") === 0 || key.indexOf("ee-answers-") === 0) { window.sessionStorage.removeItem(key); }
      });
    });
  });

  if (!form) { return; }
  var attempt = form.getAttribute("data-attempt");
  var slot = form.getAttribute("data-slot");
  var base = "/candidate/attempts/" + attempt;
  var linear = form.getAttribute("data-linear") === "yes";
  var itemBody = document.getElementById("item-body");
  var heading = form.querySelector(".question-heading");
  var queueKey = "ee-queue-" + attempt;
  var seqKey = function (s) { return "ee-seq-" + attempt + "-" + s; };

  /* ---- the network as this page knows it: down since when (kept for the tab, so the proctor hears how long) ---- */
  var offlineKey = "examengine.offline-since." + attempt;
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
    report("online", {offline_seconds: Math.max(0, Math.round((Date.now() - since) / 1000))});
  }
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
  if (statusEl) { statusEl.parentNode.insertBefore(offlineTime, statusEl); }
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

  /* ---- the save queue, kept in localStorage so a reload or a cut network loses nothing ---- */
  /* Entries: {slot, seq, body} an answer (the newest per slot), {slot, flag: true|false} a flag for review. */
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
  function formBody() {
    var data = new FormData(form);
    data.delete("csrf_token");
    data.delete("action");
    data.delete("seq");
    return new URLSearchParams(data).toString();
  }
  function showStatus(text) { if (statusEl && statusEl.textContent !== text) { statusEl.textContent = text; } }
  /* "Saved" only once something was saved from this page: before the first answer the status stays empty. */
  var savedSomething = false;
  function showIdle() { showStatus(savedSomething ? "Saved" : ""); }
  function showWaiting(queue) {
    if (queue.length) {
      showStatus("Offline — answers kept on this device, " + queue.length + " waiting");
    } else if (isOffline()) {
      showStatus("Offline — answers are kept on this device until the network returns");
    } else { showIdle(); }
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
      cameBack();
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
        if (result.body.remaining_seconds !== undefined) { syncClock(result.body.remaining_seconds); }
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
      wentDown();
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
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf, "X-Seq": String(entry.seq)},
      body: entry.body
    };
    var url = base + "/items/" + entry.slot + "/save";
    return keepalive ? fetch(url, options) : timed(url, options, 20000);  /* keepalive outlives the page: no timer */
  }
  /* A flag kept while offline goes as the page's own flag post, without the answer (question_hidden: the answer
     has its own place in the queue). */
  function flagRequest(entry) {
    var data = new URLSearchParams();
    data.set("csrf_token", csrf);
    data.set("question_hidden", "yes");
    data.set("action", entry.flag ? "flag" : "unflag");
    return timed(base + "/items/" + entry.slot, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: data.toString()
    }, 20000);
  }
  function flagOutcome(entry, response) {
    var landed = new URL(response.url, window.location.href).pathname;
    if (response.ok && landed.indexOf(base) === 0 && landed !== base + "/done") { return {status: 200, body: {}}; }
    if (landed === base + "/done") {
      return {status: 409, body: {error: {code: "attempt_closed", message: "The exam has ended."}}};
    }
    if (response.ok && landed.indexOf(base) !== 0) {
      return {status: 401, body: {error: {code: "signed_out",
              message: "You are signed out on this device: sign in again; this flag is kept here until then."}}};
    }
    return response.text().then(function (page) {
      if (response.status === 409 && page.indexOf("open on another device") >= 0) {
        return {status: 409, body: {error: {code: "device_locked", message: "This exam is open on another device."}}};
      }
      return {status: response.status, body: {error: {code: "flag_refused",
              message: "The flag for question " + entry.slot + " could not be saved."}}};
    });
  }
  function queueCurrentAnswer(keepalive) {
    window.clearTimeout(typing);
    typing = null;
    if (form.getAttribute("data-paused") === "yes") { showIdle(); return; }
    var entry = {slot: slot, seq: nextSeq(slot, savedSeq()), body: formBody()};
    var queue = withoutAnswer(readQueue(), slot);
    queue.push(entry);
    writeQueue(queue);
    rememberBody(slot, entry.body);
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

  /* ---- the answers this tab gave, per slot: an item opened offline shows them (sessionStorage, this tab only) ---- */
  var bodiesKey = "ee-answers-" + attempt;
  function rememberBody(forSlot, body) {
    try {
      var bodies = JSON.parse(window.sessionStorage.getItem(bodiesKey) || "{}");
      bodies[forSlot] = body;
      window.sessionStorage.setItem(bodiesKey, JSON.stringify(bodies));
    } catch (e) { /* storage full: the item shows its last prefetched answer */ }
  }
  function rememberedBody(forSlot) {
    var queued = readQueue().filter(function (e) { return !isFlag(e) && e.slot === forSlot; });
    if (queued.length) { return queued[queued.length - 1].body; }
    try { return JSON.parse(window.sessionStorage.getItem(bodiesKey) || "{}")[forSlot] || null; } catch (e) { return null; }
  }
  function applyBody(body) {
    var values = new URLSearchParams(body);
    Array.prototype.forEach.call(itemBody.querySelectorAll("input, textarea, select"), function (field) {
      if (!field.name || field.type === "hidden") { return; }
      var given = values.getAll(field.name);
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = given.indexOf(field.value) >= 0;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = given.indexOf(o.value) >= 0; });
      } else {
        field.value = given.length ? given[0] : "";
      }
    });
  }
  /* A reload or the server's page after the network returned: an answer still queued here is newer than the
     server's, so the page shows it (it is sent in a moment). */
  (function () {
    var queued = readQueue().filter(function (e) { return !isFlag(e) && e.slot === slot && e.seq > savedSeq(); });
    if (queued.length && itemBody && form.getAttribute("data-paused") !== "yes") { applyBody(queued[queued.length - 1].body); }
  })();

  /* ---- Flag for review toggles in place (aria-pressed); without JavaScript it is a form post ---- */
  var flagButton = form.querySelector("button.flag-toggle");
  function showFlag(flagged) {
    if (!flagButton) { return; }
    flagButton.setAttribute("aria-pressed", flagged ? "true" : "false");
    flagButton.value = flagged ? "unflag" : "flag";
  }
  (function () {
    var queued = readQueue().filter(function (e) { return isFlag(e) && e.slot === slot; });
    if (queued.length) { showFlag(queued[queued.length - 1].flag); }
  })();
  /* Offline the flag waits in the queue like an answer, replayed in order when the network returns. */
  function queueFlag(flagging) {
    var queue = readQueue().filter(function (e) { return !(isFlag(e) && e.slot === slot); });
    queue.push({slot: slot, flag: flagging});
    writeQueue(queue);
    showFlag(flagging);
    markNav(slot, null, flagging);
    wentDown();
    showWaiting(queue);
  }
  if (flagButton) {
    flagButton.addEventListener("click", function (event) {
      if (form.getAttribute("data-paused") === "yes") { return; }
      event.preventDefault();
      var flagging = flagButton.getAttribute("aria-pressed") !== "true";
      if (typing !== null) { queueCurrentAnswer(false); }
      if (isOffline()) { queueFlag(flagging); return; }
      var data = new URLSearchParams(new FormData(form));
      data.set("action", flagging ? "flag" : "unflag");
      data.set("seq", String(nextSeq(slot, savedSeq())));
      var body = formBody();
      writeQueue(withoutAnswer(readQueue(), slot));  /* the post carries the answer */
      flagButton.disabled = true;
      fetch(form.getAttribute("action"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: data.toString()
      }).then(function (response) {
        flagButton.disabled = false;
        cameBack();
        var landed = new URL(response.url, window.location.href).pathname;
        if (!response.ok || landed !== window.location.pathname) { window.location.assign(response.url); return; }
        showFlag(flagging);
        savedSomething = true;
        markNav(slot, bodyAnswers(body), flagging);
        showIdle();
      }, function () {
        flagButton.disabled = false;
        /* The answer is kept (queued, sent when the network returns), and the flag with it. */
        var queue = withoutAnswer(readQueue(), slot);
        queue.push({slot: slot, seq: nextSeq(slot, savedSeq()), body: body});
        writeQueue(queue);
        queueFlag(flagging);
      });
    });
  }

  /* ---- moving on without the network: the open items, prefetched once per section and kept for this tab ---- */
  var kitKey = "ee-kit-" + attempt + "-" + form.getAttribute("data-open-section");
  var kit = null;
  function keepKit(body) {
    kit = {total: body.total, order: [], items: {}};
    body.items.forEach(function (item) {
      kit.order.push(String(item.slot));
      kit.items[String(item.slot)] = item;
    });
  }
  function prefetch() {
    if (linear || form.getAttribute("data-paused") === "yes") { return; }
    try {
      var kept = window.sessionStorage.getItem(kitKey);
      if (kept) { keepKit(JSON.parse(kept)); return; }
    } catch (e) { /* fetched again below */ }
    fetch(form.getAttribute("data-offline-url"), {credentials: "same-origin", cache: "no-store",
                                                  headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok && !response.redirected ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.items) { return; }
        cameBack();
        keepKit(body);
        preloadMedia(body.items);
        try { window.sessionStorage.setItem(kitKey, JSON.stringify(body)); } catch (e) { /* kept in memory only */ }
      }, function () { wentDown(); });
  }

  /* The items' pictures into the browser's cache (media is cached for good), so they show offline too. */
  function preloadMedia(items) {
    var parse = document.createElement("template");
    items.forEach(function (item) {
      parse.innerHTML = item.html;
      Array.prototype.forEach.call(parse.content.querySelectorAll("img[src]"), function (img) {
        new Image().src = img.getAttribute("src");
      });
    });
  }

  var review = null;
  function neighbours(forSlot) {
    var at = kit.order.indexOf(forSlot);
    return [at > 0 ? kit.order[at - 1] : null, at >= 0 && at + 1 < kit.order.length ? kit.order[at + 1] : null];
  }
  function navButton(label, target, primary) {
    var button = document.createElement("button");
    button.type = "submit";
    button.name = "action";
    button.value = "goto:" + target;
    button.textContent = label;
    if (primary) { button.className = "primary"; }
    return button;
  }
  /* The prefetched item takes the page's place: the address, the heading, the answers this tab gave, the flag,
     the navigator's current marker and the Previous/Next buttons follow. */
  function showItem(target, push) {
    var item = kit.items[target];
    slot = target;
    form.setAttribute("data-slot", slot);
    form.setAttribute("action", base + "/items/" + slot);
    form.setAttribute("data-save-url", base + "/items/" + slot + "/save");
    form.setAttribute("data-saved-seq", String(item.seq));
    itemBody.innerHTML = item.html;
    var body = rememberedBody(slot);
    if (body !== null) { applyBody(body); }
    bindWordCounts();
    var title = "Question " + item.position + " of " + kit.total;
    heading.textContent = title;
    document.title = document.title.replace(/^[^·]*·/, title + " ·");
    var queuedFlag = readQueue().filter(function (e) { return isFlag(e) && e.slot === slot; });
    showFlag(queuedFlag.length ? queuedFlag[queuedFlag.length - 1].flag : navState(slot).flagged);
    Array.prototype.forEach.call(form.querySelectorAll('button[name=action][value^="goto:"]'), function (b) {
      b.parentNode.removeChild(b);
    });
    var around = neighbours(slot);
    var actions = form.querySelector(".exam-actions");
    if (around[1]) { actions.insertBefore(navButton("Next", around[1], true), actions.firstChild); }
    if (around[0]) { actions.insertBefore(navButton("Previous", around[0], false), actions.firstChild); }
    Array.prototype.forEach.call(document.querySelectorAll(".navigator a.nav-slot"), function (link) {
      link.classList.remove("current");
      link.removeAttribute("aria-current");
    });
    var current = navEntry(slot);
    if (current) { current.classList.add("current"); current.setAttribute("aria-current", "page"); }
    closeReview();
    if (push) { window.history.pushState({examSlot: slot}, "", base + "/items/" + slot); }
    heading.focus();
  }

  /* Review answers without the network: built from the navigator, which shows what this device holds. */
  function closeReview() {
    if (review) { review.parentNode.removeChild(review); review = null; }
    form.hidden = false;
  }
  function reviewList(title, slots) {
    var part = document.createDocumentFragment();
    if (!slots.length) { return part; }
    var h2 = document.createElement("h2");
    h2.textContent = title;
    var list = document.createElement("ul");
    slots.forEach(function (n) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = base + "/items/" + n;
      link.className = "offline-goto";
      link.textContent = "Question " + n;
      li.appendChild(link);
      list.appendChild(li);
    });
    part.appendChild(h2);
    part.appendChild(list);
    return part;
  }
  function showReview(push) {
    closeReview();
    var unanswered = kit.order.filter(function (n) { return !navState(n).answered; });
    var flagged = kit.order.filter(function (n) { return navState(n).flagged; });
    review = document.createElement("section");
    review.className = "offline-review";
    review.setAttribute("aria-labelledby", "offline-review-heading");
    var h1 = document.createElement("h1");
    h1.id = "offline-review-heading";
    h1.tabIndex = -1;
    h1.textContent = "Review your answers";
    var note = document.createElement("p");
    note.textContent = "You are offline: this review shows the answers kept on this device. Submitting needs the " +
      "network; your answers are sent when it returns.";
    var count = document.createElement("p");
    count.textContent = "You answered " + (kit.order.length - unanswered.length) + " of " + kit.order.length +
      " questions" + (kit.order.length < kit.total ? " in this section." : ".");
    review.appendChild(h1);
    review.appendChild(note);
    review.appendChild(count);
    review.appendChild(reviewList("Not answered", unanswered));
    review.appendChild(reviewList("Flagged for review", flagged));
    var back = document.createElement("button");
    back.type = "button";
    back.textContent = "Back to question " + slot;
    back.addEventListener("click", function () { showItem(slot, true); });
    review.appendChild(back);
    var online = document.createElement("p");
    var submitLink = document.createElement("a");
    submitLink.href = base + "/review";
    submitLink.textContent = "Review and submit (needs the network)";
    online.appendChild(submitLink);
    review.appendChild(online);
    form.hidden = true;
    form.parentNode.insertBefore(review, form.nextSibling);
    if (push) { window.history.pushState({examReview: true, examSlot: slot}, "", base + "/review"); }
    h1.focus();
  }

  /* Is the server reachable? Known from the last few seconds' requests (true/false), or null: unsure. */
  function reachable() {
    if (isOffline()) { return false; }
    return Date.now() - lastContact < 6000 ? true : null;
  }
  /* Unsure: ask briefly (the live channel's cheap read) before leaving the page. */
  function probe() {
    return timed(form.getAttribute("data-live-url"), {method: "HEAD", credentials: "same-origin", cache: "no-store"}, 3000)
      .then(function () { cameBack(); return true; }, function () { wentDown(); return false; });
  }
  /* Offline: move with the kept items, or say plainly what needs the network; the answer stays queued. */
  function moveOffline(action) {
    if (typing !== null) { queueCurrentAnswer(false); }
    if (linear) {
      showStatus(action === "review" ? "Offline — the review needs the network. Your answer is kept on this device."
                 : "Offline — the next question needs the network. Your answer is kept on this device and sent " +
                   "when the network returns; then press Next again.");
      return;
    }
    var target = action.indexOf("goto:") === 0 ? action.slice(5) : null;
    if (!kit || (target !== null && !kit.items[target])) {
      showStatus("Offline — that question was not loaded before the network went down: it opens when the network " +
                 "returns. Your answer is kept on this device.");
      return;
    }
    if (action === "review") { showReview(true); } else { showItem(target, true); }
  }
  var proceeding = false;
  form.addEventListener("submit", function (event) {
    var action = event.submitter ? event.submitter.value : "stay";
    var moving = action === "next" || action === "review" || action.indexOf("goto:") === 0;
    var online = moving && !proceeding ? reachable() : true;
    if (online === false) {
      event.preventDefault();
      moveOffline(action);
      return;
    }
    if (online === null) {
      event.preventDefault();
      var submitter = event.submitter;
      probe().then(function (reached) {
        if (!reached) { moveOffline(action); return; }
        proceeding = true;  /* a later task than this submit event, so the form takes the new one */
        form.requestSubmit(submitter);
      });
      return;
    }
    proceeding = false;
    window.clearTimeout(typing);
    typing = null;
    /* Navigation posts the whole form; it carries the newest seq, so anything still queued for this slot is older. */
    var seqField = document.createElement("input");
    seqField.type = "hidden";
    seqField.name = "seq";
    seqField.value = String(nextSeq(slot, savedSeq()));
    form.appendChild(seqField);
    writeQueue(withoutAnswer(readQueue(), slot));
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".navigator a.nav-slot, a.offline-goto");
    if (!link || link.getAttribute("aria-disabled") === "true" || !isOffline()) { return; }
    event.preventDefault();
    moveOffline("goto:" + link.getAttribute("href").split("/").pop());
  });
  window.history.replaceState({examSlot: slot}, "", window.location.href);
  window.addEventListener("popstate", function (event) {
    var state = event.state || {};
    if (!state.examSlot) { return; }
    if (!isOffline() || !kit || !kit.items[state.examSlot]) { window.location.reload(); return; }
    if (state.examReview) { showReview(false); } else { showItem(state.examSlot, false); }
  });
  window.addEventListener("offline", function () { wentDown(); showWaiting(readQueue()); });
  window.addEventListener("online", function () { cameBack(); flush(); });
  window.setInterval(flush, 5000);
  flush();
  prefetch();

  /* ---- the essay's live word count, with the item's expected length when it has one ---- */
  function countWords(text) { var trimmed = text.trim(); return trimmed ? trimmed.split(/\s+/).length : 0; }
  function bindWordCounts() {
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (box) {
      var out = document.getElementById(box.id + "-count");
      if (!out) { return; }
      var expected = out.getAttribute("data-expected");
      if (expected === null) {
        expected = out.textContent.trim();  /* the item's expected length, as the renderer words it, or empty */
        out.setAttribute("data-expected", expected);
      }
      function update() {
        var words = countWords(box.value);
        var text = words + (words === 1 ? " word" : " words");
        if (expected) { text += ", " + box.value.length + " characters. " + expected; }
        out.textContent = text;
      }
      box.addEventListener("input", update);
      update();
    });
  }
  bindWordCounts();

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
  if (window.navigator.onLine !== false) { cameBack(); }
})();

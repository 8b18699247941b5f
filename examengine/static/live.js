/* examengine exam page: the live channel. Holds a stream of the attempt's live state (GET .../events, server-sent
   events: the whole state, then each change, and a ping every 20 s) or, without EventSource or while the stream
   fails, polls it (GET .../live, one cheap read) every 3 s, retrying the stream every 30 s; so that what the proctor does reaches the open page without a candidate action: pause freezes the
   countdown, disables the answers and navigation and hides the question; resume restarts the countdown from the
   server's time; an extension or credit moves it at once; a finished attempt goes to its done page; a new section
   reloads the page. Announced in the page's aria-live region. Without JavaScript the pages work one by one. */
(function () {
  "use strict";
  /* The item page's form, or the review page's block: the element that names the live address. */
  var form = document.querySelector("[data-live-url]");
  var region = document.getElementById("live-region");
  var body = document.getElementById("item-body");
  if (!form || !form.getAttribute("data-live-url")) { return; }
  var liveUrl = form.getAttribute("data-live-url");
  var attemptUrl = "/candidate/attempts/" + form.getAttribute("data-attempt");
  var openSection = form.getAttribute("data-open-section");
  var loadedPaused = form.getAttribute("data-paused") === "yes";
  var waitingRoom = form.getAttribute("data-waiting") === "yes";
  var FINISHED = {submitted: true, expired: true, terminated: true};
  var POLL_MS = 3000;
  var RETRY_STREAM_MS = 30000;
  var SILENT_MS = 45000;  /* no ping for this long: the stream is dead even if the browser has not noticed */
  var eventsUrl = liveUrl.replace(/\/live$/, "/events");
  var last = null;
  var stopped = false;
  var source = null;  /* the open EventSource, while the stream is healthy */
  var polling = false;
  var heard = 0;
  var deadlineTimer = null;
  var frozenAt = null;  /* the remaining seconds the paused clock shows */

  function clock() { return window.examClock || null; }
  function announce(text) {
    region.textContent = text;
    region.setAttribute("role", "alert");
    region.classList.add("alert");
  }
  function go(url) { stop(); window.location.assign(url); }
  function stop() {
    stopped = true;
    if (source) { source.close(); source = null; }
  }
  /* A form of the page is on its way (Finish section, Submit, a move): the page that answers it comes next, so what
     the stream reports meanwhile (the section that post opened, say) must not reload this page over that answer. */
  window.addEventListener("submit", function (event) { if (!event.defaultPrevented) { stop(); } });

  function setPaused(paused) {
    form.setAttribute("data-paused", paused ? "yes" : "no");
    var controls = form.querySelectorAll("input:not([type=hidden]), textarea, select, button");
    Array.prototype.forEach.call(controls, function (el) {
      if (paused && !el.disabled) {
        el.disabled = true;
        el.setAttribute("data-live-disabled", "yes");
      } else if (!paused && el.getAttribute("data-live-disabled") === "yes") {
        el.disabled = false;
        el.removeAttribute("data-live-disabled");
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".navigator a"), function (link) {
      if (paused) { link.setAttribute("aria-disabled", "true"); } else { link.removeAttribute("aria-disabled"); }
    });
    if (body) { body.hidden = paused; }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".navigator a[aria-disabled=true]");
    if (link) { event.preventDefault(); }
  });

  function moved(state) {
    var delta = state.added_seconds - last.added_seconds;
    if (delta > 0 && delta % 60 === 0) {
      var minutes = delta / 60;
      return "Your time was extended by " + minutes + " minute" + (minutes === 1 ? "" : "s") + ".";
    }
    return "Your time changed.";
  }

  /* The proctor's latest message, shown once per tab (sessionStorage remembers which one was shown). */
  var seenKey = "examengine.announcement." + form.getAttribute("data-attempt");
  function showAnnouncement(state) {
    var latest = state.announcement;
    if (!latest || String(latest.id) === window.sessionStorage.getItem(seenKey)) { return; }
    window.sessionStorage.setItem(seenKey, String(latest.id));
    var note = document.getElementById("proctor-message");
    note.textContent = "Message from the proctor: " + latest.message;
    note.classList.add("alert");
  }

  function apply(state) {
    if (FINISHED[state.status]) {
      /* answers kept on this device replay first, so the page can say which arrived too late */
      stop();
      var done = function () { window.location.assign(attemptUrl + "/done"); };
      if (window.examQueue) { window.examQueue.whenSettled(done); } else { done(); }
      return;
    }
    showAnnouncement(state);
    if (state.status === "waiting") { if (!waitingRoom) { go(attemptUrl); } return; }
    if (waitingRoom) { go(attemptUrl); return; }  /* admitted: the attempt's address opens the first question */
    var section = state.open_section === null ? "" : String(state.open_section);
    if (section !== openSection) { stop(); window.location.reload(); return; }
    if (state.paused) {
      if (!last || !last.paused) {
        setPaused(true);
        announce("Your exam is paused by the proctor. The clock is stopped and answers are not saved until the proctor resumes your exam.");
      }
      /* the server's paused time moves by a second as its clock crosses whole seconds: only a real change shows */
      if (clock() && state.remaining_seconds !== null &&
          (frozenAt === null || Math.abs(frozenAt - state.remaining_seconds) > 2)) {
        clock().freeze(state.remaining_seconds);
        frozenAt = state.remaining_seconds;
      }
      last = state;
      return;
    }
    if (loadedPaused) { stop(); window.location.reload(); return; }  /* the question was never sent */
    var message = null;
    frozenAt = null;
    if (last && last.paused) {
      setPaused(false);
      message = "Your exam has resumed. The clock is running again.";
    }
    if (last && state.added_seconds !== last.added_seconds) { message = (message ? message + " " : "") + moved(state); }
    if (clock() && state.remaining_seconds !== null) {
      var local = clock().remaining();
      if (message || local === null || Math.abs(local - state.remaining_seconds) > 2) {
        clock().set(state.remaining_seconds);  /* a drifted local clock is corrected silently */
      }
    }
    if (message) { announce(message); }
    last = state;
  }

  /* The stream has no news when only time passes: when the page's own clock reaches the end of the attempt or of
     its timed section, ask once. */
  function askAtDeadline(state) {
    if (deadlineTimer) { window.clearTimeout(deadlineTimer); deadlineTimer = null; }
    if (state.paused || state.remaining_seconds === null || FINISHED[state.status]) { return; }
    deadlineTimer = window.setTimeout(function () { if (source) { fetchOnce(); } }, state.remaining_seconds * 1000 + 1500);
  }

  function fetchOnce() {
    return fetch(liveUrl, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 409) {
          /* signed out, or the exam moved to another device: the page that loads says what to do */
          stop();
          window.location.reload();
          return null;
        }
        if (response.status === 404) { stop(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (window.examNetwork) { window.examNetwork.reached(); }
        if (state) { received(state); }
      }, function () {
        if (window.examNetwork) { window.examNetwork.failed(); }  /* offline: try again */
      });
  }

  function received(state) {
    if (stopped) { return; }
    apply(state);
    if (!stopped) { askAtDeadline(state); }
  }

  function poll() {
    if (stopped || source) { polling = false; return; }
    polling = true;
    fetchOnce().then(function () {
      if (stopped || source) { polling = false; return; }
      window.setTimeout(poll, POLL_MS);
    });
  }
  function startPolling() { if (!polling) { poll(); } }

  function hear() {
    heard = Date.now();
    if (window.examNetwork) { window.examNetwork.reached(); }
  }
  /* Stream while it works; on an error (network, a refused or full server, a restart) poll, and try again later. */
  function openStream() {
    if (stopped || source || !window.EventSource) { return; }
    var opened = new window.EventSource(eventsUrl);
    source = opened;
    heard = Date.now();
    opened.onmessage = function (event) {
      hear();
      var state = null;
      try { state = JSON.parse(event.data); } catch (error) { return; }
      received(state);
    };
    opened.addEventListener("ping", hear);
    opened.onerror = function () { dropStream(opened); };
  }
  function dropStream(which) {
    if (source !== which) { return; }
    which.close();
    source = null;
    if (stopped) { return; }
    startPolling();  /* a session that ended or a moved device: the poll's answer reloads the page */
    window.setTimeout(openStream, RETRY_STREAM_MS);
  }
  window.setInterval(function () {
    if (source && Date.now() - heard > SILENT_MS) { dropStream(source); }
  }, 5000);

  if (loadedPaused) {
    setPaused(true);
    var timer = document.getElementById("timer");
    var remaining = timer ? parseInt(timer.getAttribute("data-remaining"), 10) : NaN;
    if (clock() && !isNaN(remaining)) { clock().freeze(remaining); frozenAt = remaining; }
    last = {paused: true, added_seconds: 0};
  }
  if (window.EventSource) { openStream(); } else { poll(); }
})();

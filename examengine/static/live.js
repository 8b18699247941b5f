/* examengine exam page: the live channel. Polls the attempt's live state (GET .../live, one cheap read) every few
   seconds so that what the proctor does reaches the open page without a candidate action: pause freezes the
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
  var last = null;
  var stopped = false;

  function clock() { return window.examClock || null; }
  function announce(text) {
    region.textContent = text;
    region.setAttribute("role", "alert");
    region.classList.add("alert");
  }
  function go(url) { stopped = true; window.location.assign(url); }

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
    if (FINISHED[state.status]) { go(attemptUrl + "/done"); return; }
    showAnnouncement(state);
    if (state.status === "waiting") { if (!waitingRoom) { go(attemptUrl); } return; }
    if (waitingRoom) { go(attemptUrl); return; }  /* admitted: the attempt's address opens the first question */
    var section = state.open_section === null ? "" : String(state.open_section);
    if (section !== openSection) { stopped = true; window.location.reload(); return; }
    if (state.paused) {
      if (!last || !last.paused) {
        setPaused(true);
        announce("Your exam is paused by the proctor. The clock is stopped and answers are not saved until the proctor resumes your exam.");
      }
      if (clock() && state.remaining_seconds !== null) { clock().freeze(state.remaining_seconds); }
      last = state;
      return;
    }
    if (loadedPaused) { stopped = true; window.location.reload(); return; }  /* the question was never sent */
    var message = null;
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

  function poll() {
    if (stopped) { return; }
    fetch(liveUrl, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 409) {
          /* signed out, or the exam moved to another device: the page that loads says what to do */
          stopped = true;
          window.location.reload();
          return null;
        }
        if (response.status === 404) { stopped = true; return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (window.examNetwork) { window.examNetwork.reached(); }
        if (state) { apply(state); }
      }, function () {
        if (window.examNetwork) { window.examNetwork.failed(); }  /* offline: try again */
      })
      .then(function () { if (!stopped) { window.setTimeout(poll, POLL_MS); } });
  }

  if (loadedPaused) {
    setPaused(true);
    var timer = document.getElementById("timer");
    var remaining = timer ? parseInt(timer.getAttribute("data-remaining"), 10) : NaN;
    if (clock() && !isNaN(remaining)) { clock().freeze(remaining); }
    last = {paused: true, added_seconds: 0};
  }
  poll();
})();

/* The countdown: the server's remaining time, interpolated locally; warnings at 20 and 5 percent left. */
(function (page) {
  "use strict";
  var timer = document.getElementById("timer");
  var timerText = document.getElementById("timer-text");
  var warning = document.getElementById("time-warning");
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
  function reload() { window.location.reload(); }
  window.addEventListener("online", function () {
    /* the answer queue replays first (its own "online" handler), then the server's page says how it ended */
    if (reloadWhenOnline) {
      if (window.examQueue) { window.examQueue.whenSettled(reload); } else { reload(); }
    }
  });
  if (timer) {
    syncClock(parseInt(timer.getAttribute("data-remaining"), 10));
    tick();
    window.setInterval(tick, 1000);
  }
  page.syncClock = syncClock;
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
})(window.examPage);

/* examengine exam page, loaded in this order by templates/candidate/_exam_scripts.html (no bundler):
     page.js     what every part shares: the item form, the CSRF token, the attempt's address, the status line
     clock.js    the server's countdown (window.examClock, for live.js)
     network.js  whether the server can be reached, and for how long it could not (window.examNetwork)
     queue.js    autosave: the answer and flag queue in localStorage, replayed in order (window.examQueue)
     answers.js  the answers this tab gave, per question, for items shown offline
     flag.js     Flag for review, in place
     offline.js  moving between prefetched items and a review while the network is down
     words.js    an essay's live word count
     signals.js  browser signals for the proctor
   The page works without these files (plain form posts); with them, every change is saved at once. Time always
   comes from the server: the local countdown only interpolates between the server's answers.
   Offline: while the server is reachable every move is the server's own page load; when it is not, the page moves
   between the open items it prefetched (GET .../offline), queues answers and flags in order, and shows a review
   from what the device holds. A forward-only exam's next question always comes from the server.
   The parts talk through window.examPage only; live.js uses window.examClock, examQueue and examNetwork. */
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  var statusEl = document.getElementById("save-status");
  var csrfField = document.querySelector('input[name="csrf_token"]');
  var page = {
    form: form,
    statusEl: statusEl,
    csrf: csrfField ? csrfField.value : "",
    /* the rest only on an item page (the review page has the clock only) */
    attempt: form ? form.getAttribute("data-attempt") : null,
    base: form ? form.getAttribute("data-attempt-url") : null,  /* the attempt's address: items are under it */
    slot: form ? form.getAttribute("data-slot") : null,  /* the question shown (changes when moving offline) */
    linear: form ? form.getAttribute("data-linear") === "yes" : false,
    itemBody: document.getElementById("item-body"),
    heading: form ? form.querySelector(".question-heading") : null,
    paused: function () { return form.getAttribute("data-paused") === "yes"; },
    showStatus: function (text) { if (statusEl && statusEl.textContent !== text) { statusEl.textContent = text; } }
  };
  window.examPage = page;
})();

/* The answers this tab gave, per slot: an item opened offline shows them (sessionStorage, this tab only). */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  var queue = page.queue;
  var bodiesKey = "ee-answers-" + page.attempt;
  function rememberBody(forSlot, body) {
    try {
      var bodies = JSON.parse(window.sessionStorage.getItem(bodiesKey) || "{}");
      bodies[forSlot] = body;
      window.sessionStorage.setItem(bodiesKey, JSON.stringify(bodies));
    } catch (e) { /* storage full: the item shows its last prefetched answer */ }
  }
  function rememberedBody(forSlot) {
    var queued = queue.read().filter(function (e) { return !queue.isFlag(e) && e.slot === forSlot; });
    if (queued.length) { return queued[queued.length - 1].body; }
    try { return JSON.parse(window.sessionStorage.getItem(bodiesKey) || "{}")[forSlot] || null; } catch (e) { return null; }
  }
  function applyBody(body) {
    var values = new URLSearchParams(body);
    Array.prototype.forEach.call(page.itemBody.querySelectorAll("input, textarea, select"), function (field) {
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
  page.rememberBody = rememberBody;
  page.rememberedBody = rememberedBody;
  page.applyBody = applyBody;
  /* A reload or the server's page after the network returned: an answer still queued here is newer than the
     server's, so the page shows it (it is sent in a moment), unless the candidate answered again before these
     scripts ran (queue.js sends that one instead). */
  var queued = queue.read().filter(function (e) {
    return !queue.isFlag(e) && e.slot === page.slot && e.seq > queue.savedSeq();
  });
  if (queued.length && page.itemBody && !page.paused() && !page.answeredEarly) {
    applyBody(queued[queued.length - 1].body);
  }
})(window.examPage);

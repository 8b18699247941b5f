/* Flag for review toggles in place (aria-pressed); without JavaScript it is a form post. Offline the flag waits in
   the queue like an answer, replayed in order when the network returns. */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  var form = page.form;
  var queue = page.queue;
  var flagButton = form.querySelector("button.flag-toggle");
  function showFlag(flagged) {
    if (!flagButton) { return; }
    flagButton.setAttribute("aria-pressed", flagged ? "true" : "false");
    flagButton.value = flagged ? "unflag" : "flag";
  }
  page.showFlag = showFlag;
  var queuedFlag = queue.read().filter(function (e) { return queue.isFlag(e) && e.slot === page.slot; });
  if (queuedFlag.length) { showFlag(queuedFlag[queuedFlag.length - 1].flag); }
  function queueFlag(flagging) {
    var slot = page.slot;
    var waiting = queue.read().filter(function (e) { return !(queue.isFlag(e) && e.slot === slot); });
    waiting.push({slot: slot, flag: flagging});
    queue.write(waiting);
    showFlag(flagging);
    page.navigator.mark(slot, null, flagging);
    page.network.wentDown();
    queue.showWaiting(waiting);
  }
  if (!flagButton) { return; }
  flagButton.addEventListener("click", function (event) {
    if (page.paused()) { return; }
    event.preventDefault();
    var slot = page.slot;
    var flagging = flagButton.getAttribute("aria-pressed") !== "true";
    queue.queueTyped();
    if (page.network.isOffline()) { queueFlag(flagging); return; }
    var data = new URLSearchParams(new FormData(form));
    data.set("action", flagging ? "flag" : "unflag");
    data.set("seq", String(queue.nextSeq(slot, queue.savedSeq())));
    var body = queue.formBody();
    queue.write(queue.withoutAnswer(queue.read(), slot));  /* the post carries the answer */
    flagButton.disabled = true;
    fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: data.toString()
    }).then(function (response) {
      flagButton.disabled = false;
      page.network.cameBack();
      var landed = new URL(response.url, window.location.href).pathname;
      if (!response.ok || landed !== window.location.pathname) { window.location.assign(response.url); return; }
      showFlag(flagging);
      queue.markSaved();
      page.navigator.mark(slot, page.navigator.bodyAnswers(body), flagging);
      queue.showIdle();
    }, function () {
      flagButton.disabled = false;
      /* The answer is kept (queued, sent when the network returns), and the flag with it. */
      var waiting = queue.withoutAnswer(queue.read(), slot);
      waiting.push({slot: slot, seq: queue.nextSeq(slot, queue.savedSeq()), body: body});
      queue.write(waiting);
      queueFlag(flagging);
    });
  });
})(window.examPage);

/* Moving on without the network: the open items, prefetched once per section and kept for this tab, and a review
   built from what this device holds. Online, every move is the server's own page load. */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  var form = page.form;
  var queue = page.queue;
  var nav = page.navigator;
  var network = page.network;
  var base = page.base;
  var kitKey = "ee-kit-" + page.attempt + "-" + form.getAttribute("data-open-section");
  var kit = null;
  function keepKit(body) {
    kit = {total: body.total, order: [], items: {}};
    body.items.forEach(function (item) {
      kit.order.push(String(item.slot));
      kit.items[String(item.slot)] = item;
    });
  }
  function prefetch() {
    if (page.linear || page.paused()) { return; }
    try {
      var kept = window.sessionStorage.getItem(kitKey);
      if (kept) { keepKit(JSON.parse(kept)); return; }
    } catch (e) { /* fetched again below */ }
    fetch(form.getAttribute("data-offline-url"), {credentials: "same-origin", cache: "no-store",
                                                  headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok && !response.redirected ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.items) { return; }
        network.cameBack();
        keepKit(body);
        preloadMedia(body.items);
        try { window.sessionStorage.setItem(kitKey, JSON.stringify(body)); } catch (e) { /* kept in memory only */ }
      }, function () { network.wentDown(); });
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
    var slot = page.slot = target;
    form.setAttribute("data-slot", slot);
    form.setAttribute("action", base + "/items/" + slot);
    form.setAttribute("data-save-url", base + "/items/" + slot + "/save");
    form.setAttribute("data-saved-seq", String(item.seq));
    page.itemBody.innerHTML = item.html;
    var body = page.rememberedBody(slot);
    if (body !== null) { page.applyBody(body); }
    page.bindWordCounts();
    var title = "Question " + item.position + " of " + kit.total;
    page.heading.textContent = title;
    document.title = document.title.replace(/^[^·]*·/, title + " ·");
    var queuedFlag = queue.read().filter(function (e) { return queue.isFlag(e) && e.slot === slot; });
    page.showFlag(queuedFlag.length ? queuedFlag[queuedFlag.length - 1].flag : nav.state(slot).flagged);
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
    var current = nav.entry(slot);
    if (current) { current.classList.add("current"); current.setAttribute("aria-current", "page"); }
    closeReview();
    if (push) { window.history.pushState({examSlot: slot}, "", base + "/items/" + slot); }
    page.heading.focus();
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
    var unanswered = kit.order.filter(function (n) { return !nav.state(n).answered; });
    var flagged = kit.order.filter(function (n) { return nav.state(n).flagged; });
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
    back.textContent = "Back to question " + page.slot;
    back.addEventListener("click", function () { showItem(page.slot, true); });
    review.appendChild(back);
    var online = document.createElement("p");
    var submitLink = document.createElement("a");
    submitLink.href = base + "/review";
    submitLink.textContent = "Review and submit (needs the network)";
    online.appendChild(submitLink);
    review.appendChild(online);
    form.hidden = true;
    form.parentNode.insertBefore(review, form.nextSibling);
    if (push) { window.history.pushState({examReview: true, examSlot: page.slot}, "", base + "/review"); }
    h1.focus();
  }

  /* Unsure whether the server can be reached: ask briefly (the live channel's cheap read) before leaving the page. */
  function probe() {
    return queue.timed(form.getAttribute("data-live-url"), {method: "HEAD", credentials: "same-origin", cache: "no-store"}, 3000)
      .then(function () { network.cameBack(); return true; }, function () { network.wentDown(); return false; });
  }
  /* Offline: move with the kept items, or say plainly what needs the network; the answer stays queued. */
  function moveOffline(action) {
    queue.queueTyped();
    if (page.linear) {
      page.showStatus(action === "review" ? "Offline — the review needs the network. Your answer is kept on this device."
                      : "Offline — the next question needs the network. Your answer is kept on this device and sent " +
                        "when the network returns; then press Next again.");
      return;
    }
    var target = action.indexOf("goto:") === 0 ? action.slice(5) : null;
    if (!kit || (target !== null && !kit.items[target])) {
      page.showStatus("Offline — that question was not loaded before the network went down: it opens when the " +
                      "network returns. Your answer is kept on this device.");
      return;
    }
    if (action === "review") { showReview(true); } else { showItem(target, true); }
  }
  var proceeding = false;
  form.addEventListener("submit", function (event) {
    var action = event.submitter ? event.submitter.value : "stay";
    var moving = action === "next" || action === "review" || action.indexOf("goto:") === 0;
    var online = moving && !proceeding ? network.reachable() : true;
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
    queue.stopTyping();
    /* Navigation posts the whole form; it carries the newest seq, so anything still queued for this slot is older. */
    var seqField = document.createElement("input");
    seqField.type = "hidden";
    seqField.name = "seq";
    seqField.value = String(queue.nextSeq(page.slot, queue.savedSeq()));
    form.appendChild(seqField);
    queue.write(queue.withoutAnswer(queue.read(), page.slot));
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".navigator a.nav-slot, a.offline-goto");
    if (!link || link.getAttribute("aria-disabled") === "true" || !network.isOffline()) { return; }
    event.preventDefault();
    moveOffline("goto:" + link.getAttribute("href").split("/").pop());
  });
  window.history.replaceState({examSlot: page.slot}, "", window.location.href);
  window.addEventListener("popstate", function (event) {
    var state = event.state || {};
    if (!state.examSlot) { return; }
    if (!network.isOffline() || !kit || !kit.items[state.examSlot]) { window.location.reload(); return; }
    if (state.examReview) { showReview(false); } else { showItem(state.examSlot, false); }
  });
  prefetch();
})(window.examPage);

/* The essay's live word count, with the item's expected length when it has one. */
(function (page) {
  "use strict";
  if (!page.form) { return; }
  function countWords(text) { var trimmed = text.trim(); return trimmed ? trimmed.split(/\s+/).length : 0; }
  function bindWordCounts() {
    Array.prototype.forEach.call(page.form.querySelectorAll("textarea"), function (box) {
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
  page.bindWordCounts = bindWordCounts;  /* again for each item shown offline */
  bindWordCounts();
})(window.examPage);

// The item editor with JavaScript: Trix edits the rich-text fields, htmx refreshes the preview (attributes on the
// form), and choosing an answer in the preview marks it as the key in the form. Without this file the form works
// as it is: HTML in the text areas, the "Correct answer" boxes, the Preview button.
(function () {
  "use strict";
  const form = document.getElementById("item-editor");
  if (!form || !window.Trix) return;

  // Trix reads an <img> without its alt text; as an attachment of its own form it keeps it.
  function forTrix(html) {
    const doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    for (const img of doc.querySelectorAll("img")) {
      const attachment = {contentType: "image", url: img.getAttribute("src") || "", alt: img.getAttribute("alt") || ""};
      if (img.getAttribute("width")) attachment.width = Number(img.getAttribute("width"));
      if (img.getAttribute("height")) attachment.height = Number(img.getAttribute("height"));
      const figure = doc.createElement("figure");
      figure.setAttribute("data-trix-attachment", JSON.stringify(attachment));
      figure.setAttribute("data-trix-content-type", "image");
      const holder = img.parentElement && img.parentElement.tagName === "FIGURE" ? img.parentElement : img;
      holder.replaceWith(figure);
    }
    return doc.body.innerHTML;
  }

  document.addEventListener("trix-file-accept", (event) => event.preventDefault()); // images come from the library

  for (const area of form.querySelectorAll("textarea[data-rich-text]")) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = area.name;
    input.id = area.id + "-value";
    input.value = forTrix(area.value);
    const label = document.getElementById(area.id + "-label");
    const toolbar = document.createElement("trix-toolbar");
    toolbar.id = area.id + "-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting of " + (label ? label.textContent.trim() : area.name));
    const editor = document.createElement("trix-editor");
    editor.setAttribute("input", input.id);
    editor.setAttribute("toolbar", toolbar.id);
    editor.id = area.id;
    editor.setAttribute("aria-labelledby", area.id + "-label");
    if (area.hasAttribute("aria-describedby")) editor.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
    if (area.hasAttribute("aria-invalid")) editor.setAttribute("aria-invalid", "true");
    area.replaceWith(input, toolbar, editor);
  }

  const imageButton = form.querySelector('button[name="action"][value="insert_image"]');
  const stemEditor = form.querySelector("trix-editor#stem");
  if (imageButton && stemEditor) {
    imageButton.addEventListener("click", (event) => {
      const url = form.elements.image.value;
      const alt = form.elements.image_alt.value.trim();
      if (!url || !alt) return; // the server says what is missing
      event.preventDefault();
      stemEditor.editor.insertAttachment(new window.Trix.Attachment({contentType: "image", url: url, alt: alt}));
      form.elements.image_alt.value = "";
      stemEditor.focus();
    });
  }

  // Choosing an answer in the preview marks it as the correct one in the form.
  const status = document.getElementById("key-status");
  function field(name, value) {
    return Array.from(form.querySelectorAll('input[name="' + name + '"]')).find((input) => input.value === value);
  }
  // the form row ("options-2", "gaps-0-options-1") whose hidden id field matches `pattern` and holds `optionId`
  function rowOf(pattern, optionId) {
    const hidden = Array.from(form.querySelectorAll('input[type="hidden"]')).find(
      (input) => pattern.test(input.name) && input.value === optionId);
    return hidden ? hidden.name.slice(0, -"-id".length) : null;
  }
  function mark(control) {
    const kind = form.elements.kind.value;
    const chosen = control.value;
    let box = null;
    if (kind === "true_false") {
      box = field("answer", chosen);
    } else if (kind === "single_choice" || kind === "multiple_response") {
      const row = rowOf(/^options-\d+-id$/, chosen);
      if (!row) return null;
      box = kind === "single_choice" ? field("correct", row.split("-")[1]) : form.elements[row + "-correct"];
      if (box && kind === "multiple_response") {
        box.checked = control.checked;
        return "Option " + chosen + (control.checked ? " is now marked correct." : " is no longer marked correct.");
      }
    } else if (kind === "inline_choice") {
      const gapId = control.name.replace(/^preview\.RESPONSE_/, "");
      const gap = Array.from(form.querySelectorAll("input")).find(
        (input) => /^gaps-\d+-id$/.test(input.name) && input.value === gapId);
      if (!gap || !chosen) return null;
      const gapRow = gap.name.slice(0, -"-id".length);
      const row = rowOf(new RegExp("^" + gapRow + "-options-\\d+-id$"), chosen);
      if (!row) return null;
      box = field(gapRow + "-correct", row.split("-")[3]);
    }
    if (!box) return null;
    box.checked = true;
    return kind === "true_false"
      ? "The statement is now marked " + chosen + "."
      : "Choice " + chosen + " is now marked as the correct answer.";
  }
  document.getElementById("editor-preview").addEventListener("change", (event) => {
    const said = mark(event.target);
    if (said && status) status.textContent = said;
  });
})();

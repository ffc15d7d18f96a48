/* Insert a chosen text into a message at the cursor, for every picker of the reply box (canned
 * replies, knowledge-base links). Driven by data attributes, one script for all of them:
 *
 *   <select id="id_canned"> <option data-insert-text="…">…</option> </select>
 *   <button data-insert-target="id_body" data-insert-from="id_canned">Insertar…</button>
 *
 * The click puts the selected option's data-insert-text into the field named by
 * data-insert-target instead of posting the form. Served as a file: the CSP refuses inline
 * scripts. Without JavaScript the button posts the form and the server inserts the text.
 */
(function () {
  "use strict";

  function insert(target, text) {
    var start = target.selectionStart, end = target.selectionEnd;
    var before = target.value.slice(0, start), after = target.value.slice(end);
    var glue = before && !/\s$/.test(before) ? "\n" : "";
    target.value = before + glue + text + after;
    var cursor = (before + glue + text).length;
    target.focus();
    target.setSelectionRange(cursor, cursor);
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function start() {
    document.querySelectorAll("[data-insert-target]").forEach(function (button) {
      if (button.dataset.insertReady) return;
      button.dataset.insertReady = "1";
      button.addEventListener("click", function (event) {
        var target = document.getElementById(button.dataset.insertTarget);
        var select = document.getElementById(button.dataset.insertFrom);
        if (!target || !select) return;  // the form posts: the server inserts
        event.preventDefault();
        var option = select.options[select.selectedIndex];
        if (!option || !option.value) { select.focus(); return; }
        insert(target, option.dataset.insertText || "");
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

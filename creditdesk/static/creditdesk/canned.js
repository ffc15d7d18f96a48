/* The agent's reply box: "Insertar la respuesta" puts the chosen canned reply's text (its
 * placeholders already filled in by the server) into the message at the cursor instead of
 * posting the form. Served as a file: the CSP refuses inline scripts. Without JavaScript the
 * button posts the form and the server inserts the text (nothing is sent).
 */
(function () {
  "use strict";

  function start() {
    document.querySelectorAll("[data-canned-picker]").forEach(function (picker) {
      if (picker.dataset.ready) return;
      picker.dataset.ready = "1";
      var target = document.getElementById(picker.dataset.target);
      var select = picker.querySelector("select");
      var button = picker.querySelector("[data-insert-canned]");
      if (!target || !select || !button) return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var option = select.options[select.selectedIndex];
        if (!option || !option.value) { select.focus(); return; }
        var text = option.dataset.text;
        var start = target.selectionStart, end = target.selectionEnd;
        var before = target.value.slice(0, start), after = target.value.slice(end);
        var glue = before && !/\s$/.test(before) ? "\n" : "";
        target.value = before + glue + text + after;
        var cursor = (before + glue + text).length;
        target.focus();
        target.setSelectionRange(cursor, cursor);
        target.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* The new-quote form shows each line only the fields its quote's kind takes: description,
 * quantity and unit price for a quote in money, description and credits for one in credits.
 * Fields are marked data-quote-kind="money|credits"; the kind select carries
 * data-quote-kind-choice. A hidden field is disabled, so not sent. Without JavaScript every
 * field shows and the hint above the lines says which ones count; the server reads only the
 * chosen kind's fields either way. Served as a file: the CSP refuses inline scripts.
 */
(function () {
  "use strict";

  function start() {
    var choice = document.querySelector("[data-quote-kind-choice]");
    if (!choice || choice.dataset.ready) return;
    choice.dataset.ready = "1";
    var fields = document.querySelectorAll("[data-quote-kind]");
    function show() {
      fields.forEach(function (field) {
        field.hidden = field.dataset.quoteKind !== choice.value;
        // Not sent: what was typed there before the kind changed is not refused on a field
        // the user cannot see.
        field.querySelectorAll("input, select, textarea").forEach(function (input) {
          input.disabled = field.hidden;
        });
      });
    }
    choice.addEventListener("change", show);
    show();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

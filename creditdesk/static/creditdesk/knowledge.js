/* The knowledge base's progressive enhancements (served as a file: the CSP refuses inline
 * scripts without the page's nonce). Without JavaScript both pages work as plain forms.
 *
 * 1. The request form: while the customer types the subject, ask the suggestions endpoint
 *    (300 ms after the last key) and list the articles under the subject field.
 * 2. The agent's reply box: "Insertar el enlace" puts the chosen article's title and address
 *    into the message at the cursor instead of posting the form.
 */
(function () {
  "use strict";

  function suggestions() {
    var box = document.getElementById("kb-suggestions");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var subject = document.getElementById(box.dataset.subject);
    var status = document.getElementById("kb-suggestions-status");
    if (!subject) return;
    var field = subject.closest("p") || subject;
    field.after(box);
    subject.setAttribute("aria-describedby", "kb-suggestions-title");
    var list = box.querySelector("ul");
    var timer = null;
    var last = "";
    var pending = null;

    function show(articles) {
      list.replaceChildren();
      articles.forEach(function (article) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = article.url;
        link.textContent = article.title;
        if (article.language !== document.documentElement.lang) link.lang = article.language;
        item.appendChild(link);
        if (article.summary) {
          var summary = document.createElement("span");
          summary.className = "muted";
          summary.textContent = " — " + article.summary;
          item.appendChild(summary);
        }
        list.appendChild(item);
      });
      box.hidden = articles.length === 0;
      if (status) {
        status.textContent = articles.length === 0 ? "" :
          articles.length === 1 ? status.dataset.one :
          status.dataset.many.replace("%(n)s", String(articles.length));
      }
    }

    function ask() {
      var query = subject.value.trim();
      if (query === last) return;
      last = query;
      if (query.length < 3) { show([]); return; }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(box.dataset.endpoint + "?q=" + encodeURIComponent(query), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        signal: pending.signal
      })
        .then(function (answer) { return answer.ok ? answer.json() : { articles: [] }; })
        .then(function (body) { show(body.articles || []); })
        .catch(function () { /* a newer key stroke aborted it, or offline: keep the list */ });
    }

    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 300);
    });
    if (subject.value) ask();
  }

  function picker() {
    document.querySelectorAll("[data-article-picker]").forEach(function (picker) {
      if (picker.dataset.ready) return;
      picker.dataset.ready = "1";
      var target = document.getElementById(picker.dataset.target);
      var select = picker.querySelector("select");
      var button = picker.querySelector("[data-insert-article]");
      if (!target || !select || !button) return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var option = select.options[select.selectedIndex];
        if (!option || !option.value) { select.focus(); return; }
        var text = option.dataset.link;
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

  function start() { suggestions(); picker(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

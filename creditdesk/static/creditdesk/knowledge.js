/* The knowledge base's progressive enhancements (served as a file: the CSP refuses inline
 * scripts without the page's nonce). Without JavaScript both pages work as plain forms.
 *
 * The request form: while the customer types the subject, ask the suggestions endpoint
 * (300 ms after the last key) and list the articles under the subject field. The agent's
 * article picker in the reply box is driven by the shared insert.js.
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

  function start() { suggestions(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

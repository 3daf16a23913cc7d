// The console's only script: countdowns that tick, and an inbox that refreshes itself.
(function () {
  "use strict";

  function timeLeft(seconds) {
    var late = seconds < 0;
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var span = days ? days + "天" + hours + "小时" : hours ? hours + "小时" + mins + "分钟" : mins + "分钟";
    return (late ? "已超期 " : "剩余 ") + span;
  }

  function urgency(seconds) {
    if (seconds < 0) return "overdue";
    if (seconds < 12 * 3600) return "critical";
    return seconds < 24 * 3600 ? "soon" : "normal";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var seconds = Math.floor((Date.parse(el.dataset.due) - now) / 1000);
      el.textContent = timeLeft(seconds);
      var row = el.closest("tr[data-request-id]");
      if (row) row.className = "urgency-" + urgency(seconds);
    });
  }

  // The row a keyboard user is on, to put them back on it once the rows are replaced.
  function focusedRow(body) {
    var active = document.activeElement;
    var row = active && body.contains(active) ? active.closest("tr[data-request-id]") : null;
    return row ? row.dataset.requestId : null;
  }

  function refocus(body, requestId) {
    if (!requestId) return;
    var link = body.querySelector('tr[data-request-id="' + requestId + '"] a');
    if (link) link.focus({ preventScroll: true });
  }

  // Rows for the filters the page was loaded with: a search typed but not yet submitted is left alone.
  function poll(table) {
    var body = document.getElementById("inbox-rows");
    fetch(table.dataset.poll + window.location.search, {
      credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || html === undefined || html === body.innerHTML) return;
        var requestId = focusedRow(body);
        body.innerHTML = html;
        refocus(body, requestId);
        tick();
      })
      .catch(function () { /* the next poll tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
    var table = document.querySelector("table[data-poll]");
    if (table) window.setInterval(function () { poll(table); }, Number(table.dataset.pollMs) || 10000);
  });
})();

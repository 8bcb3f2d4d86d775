/* The idle timeout's notice (the server ends the session: core.middleware.IdleTimeoutMiddleware).
 * Two minutes before the session would end, a notice with a "continue" button appears; the
 * button posts to the keep-alive endpoint. Before showing the notice the page asks the server
 * how long is left, so that work in another tab counts. When the time is up the page reloads
 * and the server sends it to the login page, which says why. */
(function () {
  "use strict";
  var script = document.getElementById("idle-timeout");
  if (!script) return;
  var timeout = parseInt(script.dataset.timeout, 10) * 1000;
  var warning = parseInt(script.dataset.warning, 10) * 1000;
  if (!(timeout > 0)) return;
  var pingUrl = script.dataset.pingUrl;
  var notice = null;
  var timer = null;

  function schedule(remaining) {
    clearTimeout(timer);
    if (remaining > warning) {
      timer = setTimeout(check, remaining - warning);
    } else {
      show();
      timer = setTimeout(function () { window.location.reload(); }, Math.max(remaining, 0) + 1000);
    }
  }

  function check() {
    fetch(pingUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { remaining: 0 }; })
      .then(function (s) { schedule((s.remaining || 0) * 1000); })
      .catch(function () { schedule(warning); });
  }

  function keepAlive() {
    fetch(pingUrl, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRFToken": script.dataset.csrf },
      credentials: "same-origin"
    })
      .then(function (r) { return r.ok ? r.json() : { remaining: 0 }; })
      .then(function (s) { hide(); schedule((s.remaining || 0) * 1000); })
      .catch(function () { window.location.reload(); });
  }

  function show() {
    if (notice) return;
    notice = document.createElement("div");
    notice.className = "alert alert-warning shadow idle-notice fs-5 d-flex flex-wrap align-items-center gap-3 position-fixed bottom-0 start-50 translate-middle-x mb-3 z-3";
    notice.setAttribute("role", "alertdialog");
    notice.setAttribute("aria-live", "assertive");
    var text = document.createElement("span");
    text.textContent = script.dataset.message;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-primary btn-lg";
    button.textContent = script.dataset.button;
    button.addEventListener("click", keepAlive);
    notice.appendChild(text);
    notice.appendChild(button);
    document.body.appendChild(notice);
    button.focus();
  }

  function hide() {
    if (notice) notice.remove();
    notice = null;
  }

  schedule(timeout);
})();

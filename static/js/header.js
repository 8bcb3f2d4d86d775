/* The header's 大字 switch where no one is signed in yet (the login page): it turns large
   text on or off at once and keeps the choice in a cookie, which the server reads to draw the
   next page the same way (templates/base.html) and, at log-in, copies to the account
   (home.apps). Signed in, 大字 is a form remembered on the account; this keeps the cookie in
   step with it, so the login page after 退出 keeps the size the person reads in. */
(function () {
  "use strict";
  var root = document.documentElement;
  var YEAR = 365 * 24 * 3600;

  function remember(on) {
    document.cookie = "large_text=" + (on ? "1" : "0") + "; path=/; max-age=" + YEAR + "; SameSite=Lax";
  }

  if (root.hasAttribute("data-large-text-sync")) {
    remember(root.classList.contains("large-text"));
  }

  document.querySelectorAll("[data-large-text-cookie]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var on = !root.classList.contains("large-text");
      root.classList.toggle("large-text", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      remember(on);
    });
  });
})();

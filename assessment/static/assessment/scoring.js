/* Scoring page: fill in a suggested score (not saved until you save), and save one item at a
   time without leaving the page. The page works without this script (one big form). */
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var version = document.getElementById("version");

  form.querySelectorAll(".js-use-suggestion").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.target);
      if (input) { input.value = button.dataset.value; input.focus(); }
    });
  });

  form.querySelectorAll(".score-item").forEach(function (card) {
    var button = card.querySelector(".js-save-item");
    var status = card.querySelector(".js-status");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("version", version.value);
      card.querySelectorAll("input, textarea").forEach(function (field) {
        if (!field.name) { return; }
        if (field.type === "checkbox" && !field.checked) { return; }
        data.append(field.name, field.value);
      });
      button.disabled = true;
      fetch(window.location.pathname, {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"X-Requested-With": "fetch"}
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (result) {
        if (result.ok) {
          version.value = result.body.version;
          status.className = "js-status text-success-emphasis";
          status.textContent = "✔ " + result.body.message;
        } else {
          status.className = "js-status text-danger-emphasis";
          status.textContent = "✖ " + result.body.error;
        }
      }).catch(function () {
        status.className = "js-status text-danger-emphasis";
        status.textContent = "✖";
      }).finally(function () { button.disabled = false; });
    });
  });
})();

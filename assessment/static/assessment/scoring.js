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

  /* The score the ticked lines give, shown as they are ticked (the server computes the same
     on save): points minus the deductions, never below 0; a bonus adds up to its maximum. */
  function computed(card) {
    var max = parseFloat(card.dataset.max), bonus = card.dataset.kind === "bonus";
    var amounts = [], zero = false;
    card.querySelectorAll(".js-line").forEach(function (line) {
      var points = parseFloat(line.dataset.points) || 0, amount = 0;
      if (line.type === "checkbox") {
        if (!line.checked) { return; }
        if (line.dataset.kind === "zero") { zero = true; return; }
        amount = points;
      } else {
        var times = parseInt(line.value, 10);
        if (!(times > 0)) { return; }
        amount = points * times;
        if (line.dataset.cap !== "") { amount = Math.min(amount, parseFloat(line.dataset.cap)); }
      }
      amounts.push(amount);
    });
    var combined = 0;
    if (amounts.length) {
      combined = card.dataset.cumulative === "1"
        ? amounts.reduce(function (a, b) { return a + b; }, 0) : Math.max.apply(null, amounts);
    }
    if (bonus) { return amounts.length ? Math.min(max, combined) : null; }
    return zero ? 0 : Math.max(0, max - combined);
  }

  form.querySelectorAll(".score-item").forEach(function (card) {
    var output = card.querySelector(".js-computed");
    var assessed = card.querySelector(".js-assessed");
    var typed = card.querySelector("input[name^='score_']");
    function touched() { if (assessed) { assessed.checked = true; } }
    if (typed) { typed.addEventListener("input", touched); }
    if (output) {
      card.querySelectorAll(".js-line").forEach(function (line) {
        line.addEventListener("input", function () {
          var value = computed(card);
          output.textContent = value === null ? "—" : String(Math.round(value * 100) / 100);
          touched();
        });
      });
    }
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

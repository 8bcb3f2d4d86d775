/* 评分 on a phone: one item card at a time with 上一项 / 下一项 and "第 3 / 12 项"; the score
   the ticked lines give, shown as they are ticked (the server computes what is saved); a draft
   autosaved to the server a few seconds after a change and when leaving a card; a score by hand
   that differs from the lines is flagged and needs the comment before submitting.
   Without this script every card shows and the form posts as it is. */
(function () {
  "use strict";
  var form = document.getElementById("scoring-form");
  if (!form) { return; }
  var cards = Array.prototype.slice.call(form.querySelectorAll(".score-item"));
  var progress = document.getElementById("scoring-progress");
  var status = form.querySelector(".js-draft-status");
  var editable = Boolean(form.querySelector("[name=submit_scores]"));
  var current = 0;
  var dirty = false;
  var submitting = false;
  var inflight = null;  // a draft being saved: a submit waits for it, so no draft outlives it
  var timer = null;
  var AUTOSAVE_MS = 4000;
  var phone = window.matchMedia("(max-width: 767.98px)");

  function round2(value) { return Math.round(value * 100) / 100; }

  /* Mirrors assessment.grading.item_computed: points minus the lines (floored at 0, a "scores 0"
     line makes it 0, 不累计 counts only the largest); a bonus adds up to its own maximum. */
  function computed(card) {
    var max = parseFloat(card.dataset.max), bonus = card.dataset.kind === "bonus";
    var amounts = [], zero = false;
    card.querySelectorAll(".js-line").forEach(function (line) {
      var points = parseFloat(line.dataset.points) || 0, amount = 0;
      if (line.type === "checkbox") {
        if (!line.checked) { return; }
        if (line.dataset.kind === "zero") { zero = true; amount = max; } else { amount = points; }
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

  /* A typed score that is not what the lines give is an override: say so on the card. */
  function checkOverride(card) {
    var hand = card.querySelector(".js-hand");
    var warning = card.querySelector(".js-override-warning");
    if (!hand || !warning) { return false; }
    var value = computed(card);
    var typed = hand.value.trim() === "" ? null : parseFloat(hand.value);
    var differs = typed !== null && value !== null && round2(typed) !== round2(value);
    warning.hidden = !differs;
    card.classList.toggle("scoring-overridden", differs);
    if (differs) {
      card.querySelector(".js-override-text").textContent = form.dataset.reasonNeeded +
        " (" + round2(typed) + " ≠ " + round2(value) + ")";
    }
    return differs;
  }

  function refresh(card) {
    var output = card.querySelector(".js-computed");
    if (output) {
      var value = computed(card);
      output.textContent = value === null ? "—" : String(round2(value));
    }
    checkOverride(card);
  }

  function saveDraft() {
    if (!dirty || !editable || submitting) { return; }
    dirty = false;
    clearTimeout(timer);
    var data = new FormData(form);
    data.append("save_draft", "1");
    inflight = fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin", keepalive: true,
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      status.textContent = result.ok ? "✔ " + result.body.message : "✖ " + result.body.error;
    }).catch(function () {
      dirty = true;
      status.textContent = "✖ " + form.dataset.draftFailed;
    }).finally(function () { inflight = null; });
  }

  function changed(card) {
    var assessed = card.querySelector(".js-assessed");
    if (assessed) { assessed.checked = true; }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(saveDraft, AUTOSAVE_MS);
  }

  function show(index) {
    if (index !== current) { saveDraft(); }
    current = Math.max(0, Math.min(cards.length - 1, index));
    /* One card at a time on a phone; every card on a wider screen. */
    cards.forEach(function (card, i) {
      card.hidden = phone.matches && i !== current;
      card.querySelectorAll(".js-prev, .js-next").forEach(function (b) { b.hidden = !phone.matches; });
    });
    if (progress) {
      progress.hidden = false;
      progress.textContent = cards[current].querySelector(".scoring-position").textContent;
    }
  }

  cards.forEach(function (card, index) {
    card.querySelectorAll("input, textarea").forEach(function (field) {
      field.addEventListener("input", function () {
        if (field.classList.contains("js-assessed")) {
          dirty = true;
          clearTimeout(timer);
          timer = setTimeout(saveDraft, AUTOSAVE_MS);
          return;
        }
        refresh(card);
        changed(card);
      });
    });
    card.querySelectorAll(".js-step").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.target);
        var value = (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10);
        input.value = value > 0 ? String(value) : "";
        refresh(card);
        changed(card);
      });
    });
    card.querySelectorAll(".js-use-suggestion").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        /* Never a silent change: the suggestion goes into the score by hand, which is opened
           and flagged when it differs from the lines; the comment must then say why. */
        var input = document.getElementById(button.dataset.target);
        input.value = button.dataset.value;
        input.closest("details").open = true;
        refresh(card);
        changed(card);
        if (checkOverride(card)) { card.querySelector("textarea").focus(); } else { input.focus(); }
      });
    });
    var prev = card.querySelector(".js-prev"), next = card.querySelector(".js-next");
    if (prev) {
      prev.addEventListener("click", function () { show(index - 1); cards[current].scrollIntoView(); });
    }
    if (next) {
      next.addEventListener("click", function () { show(index + 1); cards[current].scrollIntoView(); });
    }
    refresh(card);
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    clearTimeout(timer);
    if (!submitter || submitter.name !== "submit_scores") {
      submitting = true;  // the form itself saves the draft: no second one on leaving
      return;
    }
    /* An override without a reason would be refused by the server: go to that card now. */
    for (var i = 0; i < cards.length; i += 1) {
      var comment = cards[i].querySelector("textarea");
      if (checkOverride(cards[i]) && comment && comment.value.trim() === "") {
        event.preventDefault();
        show(i);
        cards[i].scrollIntoView();
        comment.focus();
        return;
      }
    }
    /* Submitting: no draft may be written after it (leaving the page would save one). */
    submitting = true;
    if (inflight) {
      event.preventDefault();
      inflight.finally(function () { form.requestSubmit(submitter); });
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveDraft(); }
  });

  if (editable && cards.length) {
    /* After a refused submit, open the card the message names. */
    var refused = cards.findIndex(function (card) { return card.dataset.error === "1"; });
    show(refused > 0 ? refused : 0);
    phone.addEventListener("change", function () { show(current); });
  }
})();

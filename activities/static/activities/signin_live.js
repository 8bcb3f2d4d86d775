// The attendance page, live: every 10 seconds ask who is present and mark those rows
// (a badge "已签到 HH:MM" and the "present" choice). Without JavaScript the page shows the
// same after a reload.
(function () {
  "use strict";
  var box = document.getElementById("signin-live");
  if (!box || !window.fetch) { return; }
  var label = box.dataset.label;
  var qrLabel = box.dataset.qrLabel;
  var count = document.getElementById("signin-count");

  function mark(row) {
    var fieldset = document.querySelector('[data-member-id="' + row.member + '"]');
    if (!fieldset) { return; }
    var radio = fieldset.querySelector('input[type=radio][value="present"]');
    if (radio && !fieldset.dataset.signedIn && !radio.checked) {
      radio.checked = true;
      // attendance.js keeps the counts in the 保存 bar from change events.
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (row.source === "qr" && !fieldset.querySelector(".signin-badge")) {
      var badge = document.createElement("span");
      badge.className = "badge text-bg-success ms-2 signin-badge";
      badge.textContent = label + " " + row.time + " · " + qrLabel;
      var legend = fieldset.querySelector("legend") || fieldset;
      legend.appendChild(badge);
    }
    fieldset.dataset.signedIn = "1";
  }

  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.present.forEach(mark);
        if (count) { count.textContent = label + ": " + data.present.length; }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  poll();
  window.setInterval(poll, 10000);
})();

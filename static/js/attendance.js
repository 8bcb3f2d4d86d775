// The attendance list (activities/includes/_attendance_list.html): a search box that filters
// the list as you type (name or pinyin initials), "all present", the counts in the sticky bar
// kept current, and the usual reason filled in when someone is marked excused. Without this
// script the same page is plain radio buttons that post.
(function () {
  "use strict";
  var form = document.querySelector("[data-attendance-form]");
  if (!form) { return; }
  var list = form.querySelector("[data-attendance-list]");
  if (!list) { return; }
  var rows = Array.prototype.slice.call(list.querySelectorAll(".attendance-row"));
  var groups = Array.prototype.slice.call(list.querySelectorAll(".attendance-group"));
  var tools = form.querySelector("[data-attendance-tools]");
  var search = form.querySelector("[data-attendance-search]");
  var noMatch = form.querySelector("[data-attendance-nomatch]");
  var allPresent = form.querySelector("[data-attendance-all]");
  var defaultReason = list.getAttribute("data-default-reason") || "";

  function statusOf(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "unmarked";
  }

  function recount() {
    var counts = { present: 0, excused: 0, absent: 0, unmarked: 0 };
    rows.forEach(function (row) {
      var status = statusOf(row);
      counts[status] = (counts[status] || 0) + 1;
    });
    Object.keys(counts).forEach(function (key) {
      var cell = form.querySelector('[data-count="' + key + '"]');
      if (cell && cell.textContent !== String(counts[key])) { cell.textContent = counts[key]; }
    });
    var unmarked = form.querySelector('[data-count-box="unmarked"]');
    if (unmarked) { unmarked.hidden = counts.unmarked === 0; }
  }

  function filter() {
    var query = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var name = (row.getAttribute("data-name") || "").toLowerCase();
      var initials = (row.getAttribute("data-initials") || "").toLowerCase();
      var match = !query || name.indexOf(query) !== -1 || initials.indexOf(query) === 0;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector(".attendance-row:not([hidden])");
    });
    if (noMatch) { noMatch.hidden = shown !== 0; }
  }

  list.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && input.value === "excused" && input.checked) {
      var reason = input.closest(".attendance-row").querySelector(".attendance-reason input");
      if (reason && !reason.value) {
        reason.value = defaultReason;
      }
    }
    recount();
  });

  if (allPresent) {
    allPresent.addEventListener("click", function () {
      rows.forEach(function (row) {
        var present = row.querySelector('input[type=radio][value="present"]');
        if (present) { present.checked = true; }
      });
      recount();
    });
  }

  if (search) {
    search.addEventListener("input", filter);
    // Enter in the search box filters; it must not send the form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }
  if (tools) { tools.hidden = false; }

  // The QR sign-in poll (activities/signin_live.js) sends a change event for each row it ticks.
  recount();
})();

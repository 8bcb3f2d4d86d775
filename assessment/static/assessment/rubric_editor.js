/* Rubric editor: arrow buttons move a section, item or line up or down among its siblings and
   renumber their order fields. Without this script the order fields do the same on save. */
(function () {
  "use strict";
  var form = document.getElementById("rubric-editor");
  if (!form) { return; }
  function renumber(list) {
    var n = 1;
    Array.prototype.forEach.call(list.children, function (row) {
      if (!row.classList.contains("js-row")) { return; }
      var order = row.querySelector(".js-order");
      if (order) { order.value = n; }
      n += 1;
    });
  }
  form.querySelectorAll(".js-up, .js-down").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var row = button.closest(".js-row"), list = row.parentElement;
      if (button.classList.contains("js-up")) {
        var previous = row.previousElementSibling;
        if (previous) { list.insertBefore(row, previous); }
      } else {
        var next = row.nextElementSibling;
        if (next) { list.insertBefore(next, row); }
      }
      renumber(list);
      button.focus();
    });
  });
})();

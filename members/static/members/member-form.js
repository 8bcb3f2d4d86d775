// The member form: 出生日期 and 性别 are read from an 18-digit ID number, so their fields are
// hidden while the ID number field holds one (or, for a masked number kept on file, is left
// empty). The server derives them again; this only spares the reader two questions.
(function () {
  "use strict";
  var idInput = document.querySelector("input[data-derives]");
  if (!idInput) return;
  var onFile = idInput.dataset.onFile === "1";
  var pattern = /^\d{17}[\dX]$/;
  var wrappers = idInput.dataset.derives.split(" ").map(function (name) {
    var field = document.getElementById("id_" + name);
    return field ? field.closest(".mb-3") || field.parentElement : null;
  }).filter(Boolean);

  function normalised(value) {
    // Full-width digits, Ｘ and spaces as the server reads them.
    return value.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
  }

  function update() {
    var value = normalised(idInput.value);
    var derived = pattern.test(value) || (onFile && value === "");
    wrappers.forEach(function (wrapper) {
      wrapper.hidden = derived && !wrapper.querySelector(".is-invalid, .invalid-feedback");
    });
  }

  idInput.addEventListener("input", update);
  update();
})();

// The organization form (branches/forms.py OrganizationForm): show only the fields that apply
// to the chosen kind and category. Without this script every field shows and the server
// clears those that do not apply.
(function () {
  "use strict";

  function wrapper(field) {
    return field ? field.closest(".mb-3") || field.parentElement : null;
  }

  function setup(form) {
    var kind = form.querySelector("select[name=kind]");
    var category = form.querySelector("select[name=category]");
    var affinity = form.querySelector("select[name=affinity]");
    if (!kind && !category) return;
    var categoryKinds = kind ? (kind.getAttribute("data-category-kinds") || "").split(" ") : [];
    var affinityCategory = category ? category.getAttribute("data-affinity-category") : "";

    function show(field, on) {
      var box = wrapper(field);
      if (!box) return;
      box.hidden = !on;
      field.disabled = !on;
    }
    function update() {
      var hasCategory = kind ? categoryKinds.indexOf(kind.value) !== -1 : true;
      if (category) show(category, hasCategory);
      if (affinity) {
        show(affinity, hasCategory && !!category && category.value === affinityCategory);
      }
    }
    if (kind) kind.addEventListener("change", update);
    if (category) category.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("form[data-organization-form]").forEach(setup);
})();

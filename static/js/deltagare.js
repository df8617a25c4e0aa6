// Deltagare forms: small progressive enhancements; every form works without them.
// Fields marked data-visa-nar="name=value" are shown only while that choice is selected.
(function () {
  "use strict";
  function update(form) {
    form.querySelectorAll("[data-visa-nar]").forEach(function (block) {
      var parts = block.getAttribute("data-visa-nar").split("=");
      var checked = form.querySelector('input[name="' + parts[0] + '"]:checked');
      var show = !checked || checked.value === parts[1];
      block.hidden = !show;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-visa-nar]")) {
        return;
      }
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
  });
})();

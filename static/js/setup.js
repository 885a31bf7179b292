// The set-up's "tick every row" / "untick every row" buttons (templates/admin/step_participants.html and
// step_programme.html), in the page: the rows' boxes ticked or unticked at once, nothing sent. Each row
// stays the administrator's to change afterwards, and a save reads the rows alone. Without JavaScript the
// buttons post, and the server sends the page back with the rows ticked (cartel/web/admin/setup_forms.py).
"use strict";

document.querySelectorAll("[data-tick-rows]").forEach(function (group) {
  var prefix = group.getAttribute("data-tick-rows");
  var form = group.closest("form");
  group.querySelectorAll("button[name='tick']").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var on = button.value === "all";
      form.querySelectorAll("input[type='checkbox']").forEach(function (box) {
        if (box.name.indexOf(prefix) === 0) box.checked = on;
      });
    });
  });
});

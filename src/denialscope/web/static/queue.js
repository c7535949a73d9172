// The work queue page: "select all" and the count of selected rows for a lead's bulk actions.
"use strict";

(function () {
  const all = document.getElementById("select-all");
  const count = document.getElementById("selected-count");
  const picks = () => Array.from(document.querySelectorAll("input.pick"));
  function update() {
    const chosen = picks().filter((box) => box.checked).length;
    if (count) { count.textContent = String(chosen); }
    if (all) {
      all.checked = chosen > 0 && chosen === picks().length;
      all.indeterminate = chosen > 0 && chosen < picks().length;
    }
  }
  if (all) {
    all.addEventListener("change", () => {
      for (const box of picks()) { box.checked = all.checked; }
      update();
    });
  }
  for (const box of picks()) { box.addEventListener("change", update); }
  update();

  // The bulk form shows the one choice its action needs (a user, or a status).
  const op = document.getElementById("bulk-op");
  function showChoices() {
    for (const field of document.querySelectorAll("[data-for-op]")) {
      field.hidden = field.dataset.forOp !== op.value;
    }
  }
  if (op) {
    op.addEventListener("change", showChoices);
    showChoices();
  }
})();

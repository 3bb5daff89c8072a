// A form sent back with errors takes the keyboard, and so the screen reader,
// to its first error: the field (its label and error message are read with
// it, through aria-describedby) or, for an error about the whole form, the
// message itself. Without JavaScript the errors are still beside each field.
(function () {
  "use strict";

  const main = document.getElementById("main");
  if (!main) {
    return;
  }
  const field = main.querySelector("[aria-invalid='true']");
  if (field) {
    field.focus();
    return;
  }
  const summary = main.querySelector("form .alert-danger");
  if (summary) {
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();

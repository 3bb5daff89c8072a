// Shows the Print button (hidden without JavaScript, where the browser's own
// Print menu works the same) and prints the page with the print stylesheet.
(function () {
  "use strict";
  const button = document.getElementById("print-record");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();

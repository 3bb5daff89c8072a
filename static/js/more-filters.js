// The fleet lists' "More filters" on a phone (fleet.forms._filter_helper):
// the filters beyond the search box fold under the button, unless one of
// them is set. Without this script every filter stays in view.
(function () {
  "use strict";

  const button = document.querySelector("[data-more-filters]");
  const filters = document.getElementById("more-filters");
  if (!button || !filters) {
    return;
  }
  function show(open) {
    filters.classList.toggle("more-filters-folded", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  show(filters.hasAttribute("data-set"));
  button.hidden = false;
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
})();

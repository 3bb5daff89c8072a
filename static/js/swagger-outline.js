// The API docs page: Swagger UI puts its resource groups (h3) straight under
// its title (h1), which skips a heading level for screen-reader users. Once it
// has drawn, the groups are announced as level 2 and the schema list as level 3.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root) return;
  function outline() {
    root.querySelectorAll("h3.opblock-tag").forEach(function (heading) {
      if (heading.getAttribute("aria-level") !== "2") heading.setAttribute("aria-level", "2");
    });
    root.querySelectorAll(".models > h4, section.models h4").forEach(function (heading) {
      if (heading.getAttribute("aria-level") !== "3") heading.setAttribute("aria-level", "3");
    });
  }
  new MutationObserver(outline).observe(root, { childList: true, subtree: true });
  outline();
})();

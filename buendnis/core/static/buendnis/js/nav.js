// The internal area's menu: open on wide screens (its toggle hidden), folded on narrow ones so
// that the page starts with its content. Without this script the menu simply stays open.
(function () {
  "use strict";
  var menu = document.querySelector("[data-fold-narrow]");
  if (!menu || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 60em)");
  function fit() {
    menu.open = wide.matches;
    menu.classList.toggle("is-wide", wide.matches);
  }
  fit();
  wide.addEventListener("change", fit);
})();

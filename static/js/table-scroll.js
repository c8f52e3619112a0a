// Tables too wide for the screen scroll sideways inside their own box (.table-scroll), never the
// page. A box that scrolls must be reachable by keyboard (WCAG 2.1.1; axe's
// scrollable-region-focusable): while it overflows it is a focusable region named by its
// table's caption, so arrow keys scroll it; when everything fits it is a plain box again, with
// no empty tab stop. Without JavaScript the tables still scroll by touch and mouse.
(function () {
  "use strict";
  function update() {
    var boxes = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          var caption = box.querySelector("caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          if (caption) box.setAttribute("aria-label", caption.textContent.trim());
          box.setAttribute("data-scrolls", "");
        }
      } else if (box.hasAttribute("data-scrolls")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-scrolls");
      }
    }
  }
  update();
  window.addEventListener("load", update);
  window.addEventListener("resize", update);
})();

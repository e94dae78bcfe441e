// Decisions: draws each ranking cell's spread (lowest to highest score) as a bar on the
// 1-5 scale. The numbers are in the cell's text too; the bar only shows them.
(function () {
  "use strict";
  var LOW = 1, HIGH = 5;
  function draw() {
    document.querySelectorAll(".spread-bar[data-low]").forEach(function (bar) {
      var low = parseFloat(bar.getAttribute("data-low"));
      var high = parseFloat(bar.getAttribute("data-high"));
      if (isNaN(low) || isNaN(high) || bar.firstChild) return;
      var span = document.createElement("i");
      span.style.left = ((low - LOW) / (HIGH - LOW)) * 100 + "%";
      span.style.width = ((high - low) / (HIGH - LOW)) * 100 + "%";
      bar.appendChild(span);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

// Making a project from a template: as the start date changes, every date of the plan
// (marked data-offset: days from the start; data-time: a content slot's time) shows where
// it lands, before the project is made. The server answers the same on "Show the dates".
(function () {
  "use strict";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function landing(start, offset) {
    // Whole days in UTC, so that no daylight saving change moves a date.
    var day = new Date(Date.UTC(start[0], start[1] - 1, start[2] + offset));
    return day.getUTCFullYear() + "-" + pad(day.getUTCMonth() + 1) + "-" + pad(day.getUTCDate());
  }

  function show(input) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value || "");
    var start = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
    document.querySelectorAll("[data-offset]").forEach(function (cell) {
      var raw = cell.getAttribute("data-offset");
      if (raw === "" || raw === null) {
        cell.textContent = "";
        return;
      }
      if (!start) {
        cell.textContent = "";
        return;
      }
      var text = landing(start, Number(raw));
      var time = cell.getAttribute("data-time");
      cell.textContent = time ? text + " " + time : text;
      cell.classList.add("shifted");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("[data-start-input]");
    if (!input) {
      return;
    }
    input.addEventListener("input", function () {
      show(input);
    });
    input.addEventListener("change", function () {
      show(input);
    });
    if (input.value) {
      show(input);
    }
  });
})();

// The list's bulk bar: shows while rows are checked, with their count; "select all" picks
// every row of the page. Each checked row also sends the version the list showed.
(function () {
  function bar() { return document.getElementById("bulk-form"); }
  function picks() { return Array.from(document.querySelectorAll("input.bulk-pick")); }

  function refresh() {
    var form = bar();
    if (!form) return;
    var checked = 0;
    picks().forEach(function (box) {
      var version = box.parentElement.querySelector("input[name=versions]");
      if (version) version.disabled = !box.checked;
      if (box.checked) checked += 1;
    });
    form.classList.toggle("empty", checked === 0);
    var count = form.querySelector(".bulk-count");
    if (count) {
      count.textContent = checked === 1 ? count.dataset.one : count.dataset.many.replace("{n}", checked);
    }
    var all = document.querySelector("input.bulk-all");
    if (all) {
      var boxes = picks();
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }

  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("bulk-all")) {
      picks().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.classList && (target.classList.contains("bulk-all") || target.classList.contains("bulk-pick"))) {
      event.stopPropagation();
      refresh();
    }
  }, true);
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSwap", refresh);
})();

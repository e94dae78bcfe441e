/* The progress page: the burn-up chart (ECharts, from the JSON the page embeds) and the
   summary's copy buttons. Without JavaScript the page shows the table and the text. */
(function () {
  "use strict";

  function burnUp() {
    var box = document.getElementById("burnup-chart");
    var source = document.getElementById("burnup-data");
    if (!box || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var series = [
      { name: data.labels.scope, type: "line", step: "end", data: data.scope,
        showSymbol: data.days.length < 40, color: "#94a3b8" },
      { name: data.labels.done, type: "line", step: "end", data: data.done,
        showSymbol: data.days.length < 40, color: "#16a34a", areaStyle: { opacity: 0.12 } },
    ];
    // The plan: a straight dashed line from nothing done at the start to the whole scope
    // on the target day (the axis runs on to it when it lies ahead).
    if (data.ideal) {
      series.push({ name: data.labels.ideal, type: "line", data: data.ideal, showSymbol: false,
        color: "#6366f1", lineStyle: { type: "dashed", width: 1.5 } });
    }
    chart.setOption({
      animation: false,
      grid: { left: 36, right: 16, top: 30, bottom: 28 },
      tooltip: { trigger: "axis" },
      legend: { data: series.map(function (s) { return s.name; }), top: 0 },
      xAxis: { type: "category", data: data.days, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
    var table = document.querySelector(".burnup-table");
    if (table) table.open = false;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      ok ? resolve() : reject(new Error("copy refused"));
    });
  }

  function copyButtons() {
    var status = document.querySelector(".copy-done");
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        copyText(source.value).then(
          function () { status.textContent = status.dataset.copied; },
          function () {
            status.textContent = status.dataset.failed;
            source.closest("details").open = true;
            source.select();
          }
        );
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    burnUp();
    copyButtons();
  });
})();

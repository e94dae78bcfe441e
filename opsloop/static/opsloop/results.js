// Campaign results: spend (bars), new users and revenue (lines) by day, from the data the
// page puts in #results-data.
(function () {
  "use strict";

  function draw(el, d) {
    if (!window.echarts || !d.days.length) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var series = [
      { name: d.labels.spend, type: "bar", yAxisIndex: 0, data: d.spend.map(Number), itemStyle: { color: "#94a3b8" } },
      { name: d.labels.users, type: "line", yAxisIndex: 1, data: d.users, smooth: false, symbolSize: 5, itemStyle: { color: "#2563eb" } },
    ];
    if (d.revenue.length) {
      series.push({ name: d.labels.revenue, type: "line", yAxisIndex: 0, data: d.revenue.map(Number), symbolSize: 5, itemStyle: { color: "#16a34a" } });
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.days.map(function (day) { return day.slice(5); }) },
      yAxis: [
        { type: "value", name: d.labels.spend, splitLine: { show: true } },
        { type: "value", name: d.labels.users, minInterval: 1, splitLine: { show: false } },
      ],
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("results-data");
    var el = document.querySelector("[data-testid=results-chart]");
    if (node && el) draw(el, JSON.parse(node.textContent));
  });
})();

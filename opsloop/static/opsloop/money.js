// A project's money: planned against spent per week (bars, with the running totals as
// lines), and a placement's spend and clicks per day. Amounts arrive as text (Decimal);
// the chart only draws them.
(function () {
  "use strict";

  function num(v) { return v === null || v === undefined ? null : parseFloat(v); }

  function weeks(el, d) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var hasPlan = d.planned.some(function (v) { return v !== null; });
    var series = [
      { name: d.labels.actual, type: "bar", data: d.actual.map(num), itemStyle: { color: "#4f46e5" } },
      { name: d.labels.actual_to_date, type: "line", yAxisIndex: 1, data: d.actual_to_date.map(num), itemStyle: { color: "#dc2626" }, symbolSize: 4 },
    ];
    if (hasPlan) {
      series.unshift({ name: d.labels.planned, type: "bar", data: d.planned.map(num), itemStyle: { color: "#c7d2fe" } });
      series.push({ name: d.labels.planned_to_date, type: "line", yAxisIndex: 1, data: d.planned_to_date.map(num), itemStyle: { color: "#9ca3af" }, lineStyle: { type: "dashed" }, symbolSize: 4 });
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: d.weeks },
      yAxis: [{ type: "value", name: d.currency }, { type: "value", splitLine: { show: false } }],
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function days(el, d) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: d.days },
      yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: d.labels.spend, type: "bar", data: d.spend.map(num), itemStyle: { color: "#4f46e5" } },
        { name: d.labels.clicks, type: "line", yAxisIndex: 1, data: d.clicks, itemStyle: { color: "#16a34a" }, symbolSize: 4 },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var budget = document.getElementById("budget-data");
    var weeksEl = document.querySelector("[data-testid=weeks-chart]");
    if (budget && weeksEl) weeks(weeksEl, JSON.parse(budget.textContent));
    var placement = document.getElementById("placement-data");
    var daysEl = document.querySelector("[data-testid=days-chart]");
    if (placement && daysEl) days(daysEl, JSON.parse(placement.textContent));
  });
})();

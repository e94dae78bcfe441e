// Goals: each key result's chart (its KPI's values, the target or band, the forecast to
// the period's end with its 80% range, linked milestones), and the KPI form's sources.
(function () {
  "use strict";

  function chartData() {
    var node = document.getElementById("goal-charts");
    return node ? JSON.parse(node.textContent) : {};
  }

  function draw(el, d) {
    if (!window.echarts) return;
    var big = el.hasAttribute("data-big");
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var series = [{
      name: d.labels.value, type: "line", data: d.points, showSymbol: big, smooth: false,
      lineStyle: { width: 2, color: "#4f46e5" }, itemStyle: { color: "#4f46e5" },
      areaStyle: big ? null : { color: "rgba(79,70,229,.08)" },
    }];
    if (d.forecast) {
      series.push({
        name: d.labels.forecast, type: "line", data: d.forecast, showSymbol: big,
        lineStyle: { type: "dashed", color: "#6b7280" }, itemStyle: { color: "#6b7280" },
      });
      if (big && d.range) {
        series.push({
          name: d.labels.range, type: "scatter", data: [[d.range[0], d.range[1]], [d.range[0], d.range[2]]],
          symbol: "rect", symbolSize: [14, 2], itemStyle: { color: "#9ca3af" },
        });
      }
    }
    var marks = [];
    if (d.target !== null && d.target !== undefined) {
      marks.push({ yAxis: d.target, name: d.labels.target, lineStyle: { color: "#16a34a" }, label: { formatter: d.labels.target + " {c}" } });
    }
    if (d.band) {
      d.band.forEach(function (v) { if (v !== null) marks.push({ yAxis: v, lineStyle: { color: "#16a34a", type: "dotted" } }); });
    }
    var bounds = marks.map(function (m) { return m.yAxis; });
    if (d.range) bounds.push(d.range[1], d.range[2]);
    var milestoneLines = (d.milestones || []).map(function (m) {
      return { xAxis: m[0], name: m[1], lineStyle: { color: "#f59e0b" }, label: { formatter: m[1], position: "insideEndTop", fontSize: 10 } };
    });
    series[0].markLine = { silent: true, symbol: "none", data: marks.concat(big ? milestoneLines : []) };
    if (big && d.campaigns && d.campaigns.length) {
      // The linked campaigns' dates, shaded on the time axis.
      series[0].markArea = {
        silent: true, itemStyle: { color: "rgba(245,158,11,.08)" },
        label: { position: "insideTop", fontSize: 10, color: "#92400e" },
        data: d.campaigns.map(function (c) { return [{ xAxis: c[0], name: c[2] }, { xAxis: c[1] }]; }),
      };
    }
    chart.setOption({
      animation: false,
      grid: big ? { left: 48, right: 56, top: 24, bottom: 28 } : { left: 2, right: 2, top: 4, bottom: 2 },
      tooltip: big ? { trigger: "axis" } : undefined,
      xAxis: { type: "time", show: big },
      yAxis: {
        type: "value", show: big, scale: true,
        // The target (or band) stays in sight even when the values are far from it.
        min: function (v) { return Math.min.apply(null, [v.min].concat(bounds)); },
        max: function (v) { return Math.max.apply(null, [v.max].concat(bounds)); },
        axisLabel: { formatter: "{value}" + (d.unit === "%" ? "%" : "") },
      },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function charts() {
    var data = chartData();
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data[el.getAttribute("data-chart")];
      if (d && d.points.length) draw(el, d);
    });
  }

  function sources() {
    var form = document.querySelector("[data-testid=kpi-form]");
    if (!form) return;
    function show() {
      var picked = form.querySelector("input[name=source]:checked");
      form.querySelectorAll(".source-fields").forEach(function (box) {
        box.hidden = !picked || box.getAttribute("data-source") !== picked.value;
      });
    }
    form.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () { charts(); sources(); });
})();

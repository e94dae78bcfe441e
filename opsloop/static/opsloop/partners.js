// Partners: each rate card line's price over time, as a step line (a price holds from
// the day it takes effect until the next change).
(function () {
  "use strict";

  function draw(el, item, labels) {
    if (!window.echarts || !item.points.length) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 12, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return item.currency + " " + v; },
      },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true, name: item.currency },
      series: [
        {
          name: labels.price,
          type: "line",
          step: "end",
          symbolSize: 6,
          data: item.points,
          lineStyle: { color: "#2f6fde" },
          itemStyle: { color: "#2f6fde" },
        },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("price-charts");
    if (!node) return;
    var data = JSON.parse(node.textContent);
    data.items.forEach(function (item) {
      var el = document.querySelector('[data-price-chart="' + item.id + '"]');
      if (el) draw(el, item, data.labels);
    });
  });
})();

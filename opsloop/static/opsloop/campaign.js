// Campaign impact: each KPI's lift with its 95% interval, as a share of the baseline, on
// one axis (a forest plot); clear lifts coloured, the zero line marked.
(function () {
  "use strict";

  function draw(el, d) {
    if (!window.echarts || !d.rows.length) return;
    var rows = d.rows.slice().reverse(); // the table's first row on top
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    el.style.height = Math.max(120, 34 * rows.length + 56) + "px";
    chart.resize();
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 12, bottom: 40, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var r = rows[p.dataIndex];
          return r.label + "<br>" + r.lift + "% (" + r.low + "% … " + r.high + "%)";
        },
      },
      xAxis: { type: "value", name: d.labels.axis, nameLocation: "middle", nameGap: 26,
               axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      series: [
        {
          type: "custom",
          renderItem: function (params, api) {
            var y = api.coord([0, api.value(0)])[1];
            var low = api.coord([api.value(1), 0])[0];
            var high = api.coord([api.value(2), 0])[0];
            var colour = rows[params.dataIndex].clear ? "#16a34a" : "#9ca3af";
            return {
              type: "group",
              children: [
                { type: "line", shape: { x1: low, y1: y, x2: high, y2: y }, style: { stroke: colour, lineWidth: 2 } },
                { type: "line", shape: { x1: low, y1: y - 5, x2: low, y2: y + 5 }, style: { stroke: colour, lineWidth: 2 } },
                { type: "line", shape: { x1: high, y1: y - 5, x2: high, y2: y + 5 }, style: { stroke: colour, lineWidth: 2 } },
              ],
            };
          },
          encode: { x: [1, 2], y: 0 },
          data: rows.map(function (r, i) { return [i, r.low, r.high]; }),
          z: 1,
        },
        {
          type: "scatter",
          symbolSize: 9,
          data: rows.map(function (r, i) { return [r.lift, i]; }),
          itemStyle: { color: function (p) { return rows[p.dataIndex].clear ? "#16a34a" : "#4b5563"; } },
          markLine: { silent: true, symbol: "none", data: [{ xAxis: 0 }], lineStyle: { color: "#6b7280", type: "dashed" }, label: { show: false } },
          z: 2,
        },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("impact-data");
    var el = document.querySelector("[data-testid=impact-chart]");
    if (node && el) draw(el, JSON.parse(node.textContent));
  });
})();

/* Dashboards: each tile's chart (ECharts; an insight tile with the insights page's
   options), tiles that arrive later by htmx, and for who may change the dashboard the
   arranging of tiles with gridstack, each move saved through the API. Without
   JavaScript the grid is a CSS grid, every tile is rendered on the server, and a tile
   still to run is a link. */
(function () {
  "use strict";

  var charts = [];
  var DARK = document.body.classList.contains("tv");

  function sparkOption(d) {
    var color = DARK ? "#818cf8" : "#4f46e5";
    var marks = d.target !== null && d.target !== undefined
      ? { silent: true, symbol: "none", data: [{ yAxis: d.target }], lineStyle: { color: "#16a34a", type: "dashed" }, label: { show: false } }
      : undefined;
    return {
      animation: false,
      grid: { left: 2, right: 2, top: 4, bottom: 2 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.x, show: false, boundaryGap: false },
      yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: d.data, showSymbol: false, lineStyle: { width: 2, color: color },
        itemStyle: { color: color }, areaStyle: { color: DARK ? "rgba(129,140,248,.15)" : "rgba(79,70,229,.08)" }, markLine: marks }],
    };
  }

  function tileOption(d) {
    if (d.type === "spark") return sparkOption(d);
    if (!window.opsloopChartOption) return null;
    var option = window.opsloopChartOption(d);
    // A tile is small: a compact grid and legend.
    if (option.grid) option.grid = { left: 40, right: 12, top: 28, bottom: 24 };
    var several = Array.isArray(option.series) && option.series.length > 1;
    if (option.legend) option.legend = { show: several, top: 0, type: "scroll", textStyle: { fontSize: 11, color: DARK ? "#cbd5e1" : undefined } };
    if (option.legend && !several && option.grid) option.grid.top = 10;
    (Array.isArray(option.series) ? option.series : []).forEach(function (s) { if (s.type === "line") s.showSymbol = false; });
    return option;
  }

  function drawIn(root) {
    if (!window.echarts) return;
    root.querySelectorAll(".tile-chart[data-chart]").forEach(function (box) {
      if (box.dataset.drawn || !box.dataset.chart) return;
      var option = tileOption(JSON.parse(box.dataset.chart));
      if (!option) return;
      box.dataset.drawn = "1";
      var chart = window.echarts.init(box, DARK ? "dark" : null, { renderer: "canvas" });
      if (DARK) option.backgroundColor = "transparent";
      chart.setOption(option);
      charts.push(chart);
    });
  }

  function resizeAll() {
    charts = charts.filter(function (c) { return !c.isDisposed() && document.body.contains(c.getDom()); });
    charts.forEach(function (c) { c.resize(); });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function arrange(box) {
    var button = document.querySelector("[data-arrange]");
    var status = document.querySelector("[data-layout-status]");
    var url = box.dataset.layoutUrl;
    if (!button || !url) return;
    var grid = window.GridStack.init({ column: 12, cellHeight: 82, margin: 6, float: false, staticGrid: true,
      draggable: { cancel: ".tile-edit, a, button, input, select, textarea" } }, box);
    box.classList.remove("dash-grid");
    resizeAll();
    button.hidden = false;
    var on = false;
    button.addEventListener("click", function () {
      on = !on;
      grid.setStatic(!on);
      box.classList.toggle("arranging", on);
      button.textContent = on ? button.dataset.labelOn : button.dataset.labelOff;
      button.classList.toggle("primary", on);
    });
    grid.on("resizestop", function () { setTimeout(resizeAll, 0); });
    grid.on("change", function () {
      var tiles = grid.save(false).map(function (n) { return { id: Number(n.id), x: n.x, y: n.y, w: n.w, h: n.h }; });
      status.textContent = status.dataset.saving || "…";
      fetch(url, { method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ tiles: tiles }) })
        .then(function (r) {
          status.textContent = r.ok ? "✓" : "✕ " + r.status;
          status.dataset.state = r.ok ? "saved" : "failed";
        })
        .catch(function () { status.textContent = "✕"; status.dataset.state = "failed"; });
    });
  }

  function layout(box) {
    if (!window.GridStack) return;
    if (box.dataset.layoutUrl) { arrange(box); return; }
    // Read-only: the same grid, never moved, so it matches what its owner arranged.
    window.GridStack.init({ column: 12, cellHeight: DARK ? 92 : 82, margin: 6, staticGrid: true }, box);
    box.classList.remove("dash-grid");
  }

  function clock() {
    var node = document.querySelector("[data-clock]");
    if (!node) return;
    setInterval(function () {
      var now = new Date();
      node.textContent = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    }, 15000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("dash-grid");
    if (box) layout(box);
    drawIn(document);
    clock();
    window.addEventListener("resize", resizeAll);
    document.body.addEventListener("htmx:afterSwap", function () { drawIn(document); });
  });
})();

/* The insights page: the chart of the result (ECharts, from the JSON the page embeds),
   its PNG download, the side panel that lists the persons behind a number, and the
   values a filter's property has, offered in its value field. Without JavaScript the page
   shows the table, a number opens the persons' own page, and the event and property
   fields still offer what the store has (the page's datalists). */
(function () {
  "use strict";

  var PALETTE = ["#4f46e5", "#16a34a", "#d97706", "#dc2626", "#0891b2", "#9333ea", "#64748b", "#db2777"];
  var LIFECYCLE = { new: "#16a34a", returning: "#4f46e5", resurrecting: "#0891b2", dormant: "#dc2626" };

  function option(data) {
    var base = { animation: false, color: PALETTE, tooltip: { trigger: "axis" },
      grid: { left: 48, right: 20, top: 36, bottom: 36 }, legend: { top: 0, type: "scroll" } };
    if (data.type === "sankey") {
      // Nodes are named by their raw events; `labels` holds what each is shown as.
      var labels = data.labels || {};
      var shown = function (name) { return Object.prototype.hasOwnProperty.call(labels, name) ? labels[name] : name; };
      return { animation: false,
        tooltip: { trigger: "item", formatter: function (p) {
          var what = p.dataType === "edge" ? shown(p.data.source) + " → " + shown(p.data.target) : shown(p.name);
          return echarts.format.encodeHTML(what) + ": " + p.value;
        } },
        series: [{ type: "sankey", data: data.nodes, links: data.links, emphasis: { focus: "adjacency" },
          label: { formatter: function (p) { return shown(p.name); } },
          lineStyle: { color: "gradient", curveness: 0.5 }, nodeAlign: "left", left: 10, right: 120 }] };
    }
    var percent = data.percent ? "{value}%" : "{value}";
    base.xAxis = { type: "category", data: data.x, boundaryGap: data.type !== "line" };
    base.yAxis = { type: "value", axisLabel: { formatter: percent } };
    base.series = data.series.map(function (s) {
      var line = { name: s.name, data: s.data, type: data.type === "line" ? "line" : "bar",
        showSymbol: data.x.length < 40, connectNulls: false };
      if (data.type === "stack") {
        line.stack = "all";
        line.color = LIFECYCLE[s.key];
      }
      return line;
    });
    return base;
  }

  function draw() {
    var box = document.getElementById("insight-chart");
    var source = document.getElementById("insight-data");
    if (!box || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(data));
    window.addEventListener("resize", function () { chart.resize(); });
    var trendBox = document.getElementById("insight-trend");
    if (trendBox && data.trend) {
      trendBox.hidden = false;
      var trend = echarts.init(trendBox, null, { renderer: "canvas" });
      trend.setOption({ animation: false, color: PALETTE, tooltip: { trigger: "axis" },
        grid: { left: 48, right: 20, top: 20, bottom: 30 },
        xAxis: { type: "category", data: data.trend.x },
        yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
        series: [{ type: "line", data: data.trend.data, name: box.dataset.trendLabel || "%" }] });
      window.addEventListener("resize", function () { trend.resize(); });
    }
    var png = document.querySelector("[data-png]");
    if (png) {
      png.hidden = false;
      png.addEventListener("click", function () {
        var link = document.createElement("a");
        link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        link.download = "insight.png";
        link.click();
      });
    }
  }

  function panel() {
    var aside = document.getElementById("persons-panel");
    if (!aside) return;
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== aside) return;
      aside.hidden = false;
      aside.parentElement.classList.add("with-panel");
      // The result narrowed: the charts take its new width.
      window.dispatchEvent(new Event("resize"));
      var close = aside.querySelector("[data-close-panel]");
      if (close) {
        close.hidden = false;
        close.addEventListener("click", function () {
          aside.hidden = true;
          aside.parentElement.classList.remove("with-panel");
          window.dispatchEvent(new Event("resize"));
        });
      }
    });
  }

  // A filter's value field offers the commonest values of the property its key names,
  // asked of the API (the suggestions, with key) when the key is chosen.
  function filterValues() {
    var form = document.querySelector("[data-suggest-url]");
    if (!form) return;
    var url = form.dataset.suggestUrl;
    form.querySelectorAll("[data-filter-key]").forEach(function (input) {
      var list = document.getElementById(input.dataset.filterKey);
      var asked = "";
      function fill() {
        var key = input.value.trim();
        if (!list || !key || key === asked) return;
        asked = key;
        fetch(url + "?key=" + encodeURIComponent(key), { credentials: "same-origin",
          headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { values: [] }; })
          .then(function (found) {
            if (asked !== key) return;
            list.replaceChildren.apply(list, found.values.map(function (v) {
              var option = document.createElement("option");
              option.value = v.name;
              // Its display name first, when the workspace gave it one.
              option.label = (v.label ? v.label + " · " : "") + v.count.toLocaleString("en-US");
              return option;
            }));
          })
          .catch(function () { asked = ""; });
      }
      input.addEventListener("change", fill);
      fill();
    });
  }

  // Dashboards draw their insight tiles with the same options.
  window.opsloopChartOption = option;
  document.addEventListener("DOMContentLoaded", function () { draw(); panel(); filterValues(); });
})();

// Goals: each key result's chart (its KPI's values, the target or band, the forecast to
// the period's end with its 80% range, linked milestones), and the KPI form's sources.
(function () {
  "use strict";

  function chartData() {
    var node = document.getElementById("goal-charts");
    return node ? JSON.parse(node.textContent) : {};
  }

  var DAY = 86400000;
  var ROW = 16; // the height of a row of labels above the plot
  var LABEL_FONT = 10;

  // A number with `places` decimals, grouped by three (12,345.68).
  function format(v, places) {
    var parts = Number(v).toFixed(places).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  // How many decimals a tick step needs (0.25: 2; 5: 0).
  function placesOf(step) {
    for (var p = 0; p < 10; p++) {
      var scaled = step * Math.pow(10, p);
      if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return p;
    }
    return 10;
  }

  // A round step (1, 2, 2.5 or 5 times a power of ten) near `raw`.
  function niceStep(raw) {
    var exp = Math.floor(Math.log10(raw));
    var f = raw / Math.pow(10, exp);
    var nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nice * Math.pow(10, exp);
  }

  // The value axis: the values, the target (or band) and the range in sight, padded,
  // cut at round ticks; one value alone gets a span around it instead of none.
  function valueAxis(numbers) {
    var lo = Math.min.apply(null, numbers);
    var hi = Math.max.apply(null, numbers);
    var pad = hi > lo ? (hi - lo) * 0.1 : Math.abs(lo) * 0.1 || 1;
    var step = niceStep((hi - lo + 2 * pad) / 4);
    var min = Math.floor((lo - pad) / step) * step;
    var max = Math.ceil((hi + pad) / step) * step;
    if (lo >= 0 && min < 0) min = 0;
    return { min: min, max: max, interval: step, places: placesOf(step) };
  }

  // The time axis: whole days, with a day on either side when the dates span less than
  // two (one value alone would otherwise get hourly ticks).
  function timeAxis(times) {
    var first = Math.min.apply(null, times);
    var last = Math.max.apply(null, times);
    if (last - first < 2 * DAY) {
      first -= DAY;
      last += DAY;
    }
    return { min: first, max: last };
  }

  function dayLabel(value) {
    var day = new Date(value);
    var mm = String(day.getMonth() + 1).padStart(2, "0");
    var dd = String(day.getDate()).padStart(2, "0");
    return mm + "-" + dd;
  }

  var measurer = null;
  function textWidth(text) {
    measurer = measurer || document.createElement("canvas").getContext("2d");
    measurer.font = LABEL_FONT + "px sans-serif";
    return measurer.measureText(text).width;
  }

  // Rows for the labels above the plot: each label goes to the first row where it does
  // not meet the one before it, and is kept inside the chart's width. Returns the
  // labels' offsets and the number of rows.
  function stagger(labels, width) {
    var ends = [];
    var sorted = labels.slice().sort(function (a, b) { return a.x - b.x; });
    sorted.forEach(function (label) {
      var half = label.width / 2;
      var dx = Math.min(0, width - 2 - (label.x + half)) + Math.max(0, 2 - (label.x - half));
      var left = label.x + dx - half - 4;
      var row = 0;
      while (row < ends.length && ends[row] > left) row++;
      ends[row] = label.x + dx + half + 4;
      label.offset = [dx, -ROW * row];
    });
    return ends.length;
  }

  function draw(el, d) {
    if (!window.echarts) return;
    var big = el.hasAttribute("data-big");
    var percent = d.unit === "%" ? "%" : "";
    var places = d.decimals || 0;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var series = [{
      name: d.labels.value, type: "line", data: d.points, showSymbol: big || d.points.length === 1,
      smooth: false, lineStyle: { width: 2, color: "#4f46e5" }, itemStyle: { color: "#4f46e5" },
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
      // Inside the plot, over the line's right end: past the end it was cut off.
      var targetText = d.labels.target + " " + format(d.target, places) + percent;
      marks.push({
        yAxis: d.target, name: d.labels.target, lineStyle: { color: "#16a34a" },
        label: { formatter: targetText, position: "insideEndTop", color: "#166534" },
      });
    }
    if (d.band) {
      d.band.forEach(function (v) { if (v !== null) marks.push({ yAxis: v, lineStyle: { color: "#16a34a", type: "dotted" } }); });
    }
    var numbers = d.points.map(function (p) { return p[1]; }).concat(marks.map(function (m) { return m.yAxis; }));
    if (d.forecast) numbers.push(d.forecast[1][1]);
    if (d.range) numbers.push(d.range[1], d.range[2]);
    var y = valueAxis(numbers);
    var times = d.points.map(function (p) { return Date.parse(p[0] + "T00:00:00"); });
    var milestones = big ? d.milestones || [] : [];
    var campaigns = big ? d.campaigns || [] : [];
    var x = timeAxis(times.concat(
      d.forecast ? [Date.parse(d.forecast[1][0] + "T00:00:00")] : [],
      milestones.map(function (m) { return Date.parse(m[0] + "T00:00:00"); }),
    ));
    // Labels above the plot, staggered in rows once the axis says where each one falls.
    var labels = milestones.map(function (m) {
      return { kind: "milestone", at: Date.parse(m[0] + "T00:00:00"), text: m[1] };
    }).concat(campaigns.map(function (c) {
      return { kind: "campaign", from: Date.parse(c[0] + "T00:00:00"), to: Date.parse(c[1] + "T00:00:00"), text: c[2] };
    }));
    labels.forEach(function (l) { l.width = textWidth(l.text); l.offset = [0, 0]; });

    function option(rows) {
      var grid = big
        ? { left: 56, right: 24, top: 16 + ROW * Math.max(1, rows), bottom: 28 }
        : { left: 2, right: 2, top: 4, bottom: 2 };
      var lines = labels.filter(function (l) { return l.kind === "milestone"; }).map(function (l) {
        return {
          xAxis: l.at, name: l.text, lineStyle: { color: "#f59e0b" },
          label: { formatter: l.text, position: "end", fontSize: LABEL_FONT, color: "#92400e", offset: l.offset },
        };
      });
      series[0].markLine = { silent: true, symbol: "none", data: marks.concat(lines) };
      var areas = labels.filter(function (l) { return l.kind === "campaign"; });
      if (areas.length) {
        // The linked campaigns' dates, shaded on the time axis.
        series[0].markArea = {
          silent: true, itemStyle: { color: "rgba(245,158,11,.08)" },
          data: areas.map(function (l) {
            return [{
              xAxis: l.from, name: l.text,
              label: { position: "top", fontSize: LABEL_FONT, color: "#92400e", offset: l.offset },
            }, { xAxis: l.to }];
          }),
        };
      }
      return {
        animation: false,
        grid: grid,
        tooltip: big ? {
          trigger: "axis",
          valueFormatter: function (v) { return Array.isArray(v) ? v : format(v, Math.max(places, y.places)) + percent; },
        } : undefined,
        xAxis: {
          type: "time", show: big, min: x.min, max: x.max, minInterval: DAY,
          axisLabel: { formatter: dayLabel, hideOverlap: true },
        },
        yAxis: {
          type: "value", show: big, min: y.min, max: y.max, interval: y.interval,
          axisLabel: { formatter: function (v) { return format(v, y.places) + percent; } },
        },
        series: series,
      };
    }

    // Where each label falls is known once the axis is laid out: draw, then stagger.
    function layOut() {
      labels.forEach(function (l) {
        var from = Math.max(l.kind === "milestone" ? l.at : l.from, x.min);
        var to = Math.min(l.kind === "milestone" ? l.at : l.to, x.max);
        l.x = (chart.convertToPixel({ xAxisIndex: 0 }, from) + chart.convertToPixel({ xAxisIndex: 0 }, to)) / 2;
      });
      chart.setOption(option(stagger(labels, el.clientWidth)));
    }
    chart.setOption(option(1));
    if (labels.length) layOut();
    window.addEventListener("resize", function () {
      chart.resize();
      if (labels.length) layOut();
    });
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

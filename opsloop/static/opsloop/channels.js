// Channels and links: an account's follower chart, a link's clicks chart, the link
// builder's preview of the tracked URL, and the copy buttons. Every page works without
// it; it only draws and previews.
(function () {
  "use strict";

  function lineChart(el, days, series) {
    if (!window.echarts) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 28, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { show: series.length > 1, top: 0 },
      xAxis: { type: "category", data: days, boundaryGap: series.some(function (s) { return s.type === "bar"; }) },
      yAxis: { type: "value", minInterval: 1, scale: series.length === 1 && series[0].type === "line" },
      series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawCharts() {
    var followers = data("follower-data");
    var fEl = document.querySelector("[data-testid=follower-chart]");
    if (followers && fEl) {
      lineChart(fEl, followers.days, [
        { type: "line", name: fEl.getAttribute("aria-label"), data: followers.followers, showSymbol: followers.days.length < 60, color: "#4f46e5" },
      ]);
    }
    var clicks = data("clicks-data");
    var cEl = document.querySelector("[data-testid=clicks-chart]");
    if (clicks && cEl) {
      var labels = clicks.labels || [];
      lineChart(cEl, clicks.days, [
        { type: "bar", name: labels[0] || "clicks", data: clicks.clicks, color: "#4f46e5", barMaxWidth: 28 },
        { type: "line", name: labels[1] || "users", data: clicks.users, color: "#16a34a" },
      ]);
    }
  }

  // The tracked URL as the server will compose it: the destination's own query kept,
  // the UTM parameters after it, before the fragment. A preview only: the server checks.
  function preview(form) {
    var out = form.querySelector("[data-testid=builder-preview]");
    var dest = form.querySelector("[name=destination]").value.trim();
    if (!out) return;
    if (!/^https?:\/\/[^\s]+$/i.test(dest)) { out.textContent = ""; return; }
    var hash = "";
    var at = dest.indexOf("#");
    if (at >= 0) { hash = dest.slice(at); dest = dest.slice(0, at); }
    var pairs = [];
    form.querySelectorAll("[data-utm]").forEach(function (field) {
      var value = field.value.trim();
      if (!value && field.name === "utm_source") value = field.getAttribute("data-default") || "";
      if (value) pairs.push(field.name + "=" + encodeURIComponent(value));
    });
    var query = pairs.join("&");
    var sep = dest.indexOf("?") < 0 ? "?" : (/[?&]$/.test(dest) ? "" : "&");
    out.textContent = query ? dest + sep + query + hash : dest + hash;
  }

  function builder(form) {
    var channel = form.querySelector("[data-builder-channel]");
    var account = form.querySelector("[data-builder-account]");
    var source = form.querySelector("[data-utm=utm_source]");
    function channelSource() {
      if (!channel || !source) return;
      var option = channel.options[channel.selectedIndex];
      var value = option ? option.getAttribute("data-source") || "" : "";
      source.setAttribute("data-default", value);
      if (source.tagName === "INPUT") source.placeholder = value;
    }
    if (account && channel) {
      account.addEventListener("change", function () {
        var option = account.options[account.selectedIndex];
        var id = option ? option.getAttribute("data-channel") : "";
        if (id) { channel.value = id; channelSource(); preview(form); }
      });
    }
    if (channel) channel.addEventListener("change", function () { channelSource(); preview(form); });
    form.addEventListener("input", function () { preview(form); });
    form.addEventListener("change", function () { preview(form); });
    channelSource();
    preview(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("form[data-link-builder]").forEach(builder);
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-copy");
        if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
      });
    });
  });
})();

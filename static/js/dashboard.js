/* 首页 charts: reads the numbers from the json_script element "dashboard-charts" and draws
   each <canvas data-chart="key"> with Chart.js (vendored). The same numbers are in the table
   beside each chart, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);
  // Distinguishable colours with strong contrast; every chart also has its table and legend.
  var palette = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037",
                 "#c2185b", "#455a64", "#9e9d24"];
  var fontSize = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  window.Chart.defaults.font.size = Math.max(14, Math.round(fontSize * 0.85));
  window.Chart.defaults.color = "#212529";

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = charts[canvas.dataset.chart];
    if (!data) {
      return;
    }
    var kind = canvas.dataset.chartKind || "bar";
    var doughnut = kind === "doughnut";
    var datasets = data.datasets.map(function (dataset, index) {
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: doughnut
          ? data.labels.map(function (_label, i) { return palette[i % palette.length]; })
          : palette[index % palette.length],
        borderWidth: doughnut ? 2 : 0
      };
    });
    var stacked = kind === "bar-stacked";
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    if (!doughnut) {
      options.scales = {
        x: { stacked: stacked },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
      };
    }
    canvas.chart = new window.Chart(canvas, {
      type: doughnut ? "doughnut" : "bar",
      data: { labels: data.labels, datasets: datasets },
      options: options
    });
  });
})();

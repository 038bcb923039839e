// Report charts. Each <canvas data-chart="ID"> is drawn from the JSON in
// <script type="application/json" id="ID-data">. The same figures are in an
// accessible table next to every chart, so without JavaScript (or Chart.js)
// nothing is lost. No inline script: the page's CSP allows only our files.
(function () {
  "use strict";

  // NHS identity colours: blue, green, warm yellow, red, purple, aqua green, dark grey.
  var COLOURS = ["#005eb8", "#007f3b", "#ffb81c", "#d5281b", "#330072", "#00a499", "#425563"];

  function readData(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-chart") + "-data");
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
  }

  function formatter(unit) {
    if (unit === "percent") return function (v) { return v === null ? "–" : Number(v).toFixed(0) + "%"; };
    if (unit === "money") {
      return function (v) {
        return "£" + Number(v).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      };
    }
    return function (v) { return String(v); };
  }

  function config(spec) {
    var format = formatter(spec.unit);
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (set, index) {
      var colour = COLOURS[index % COLOURS.length];
      // Lines differ by marker and dash as well as colour (see charts.py): a line drawn on top of
      // another with the same figures leaves the other's markers and dashes visible.
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: line ? 3 : 0,
        borderDash: line ? set.dash || [] : [],
        pointStyle: line ? set.point_style || "circle" : "rect",
        pointRadius: line ? 6 - Math.min(index, 3) : 0,
        pointHoverRadius: line ? 8 : 0,
        spanGaps: true,
        fill: false,
      };
    });
    var narrow = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: narrow ? 1.1 : 2.2,
        animation: false,
        indexAxis: !line && narrow && spec.labels.length > 4 ? "y" : "x",
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: line } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var value = ctx.parsed[ctx.chart.options.indexAxis === "y" ? "x" : "y"];
                return ctx.dataset.label + ": " + format(value);
              },
            },
          },
        },
        scales: {
          x: { stacked: spec.stacked, ticks: { autoSkip: true } },
          y: {
            stacked: spec.stacked,
            beginAtZero: true,
            suggestedMax: spec.unit === "percent" ? 100 : undefined,
            ticks: {
              precision: spec.unit === "count" ? 0 : undefined,
              callback: function (value) { return format(value); },
            },
          },
        },
      },
    };
  }

  function fixValueAxis(cfg) {
    // On a phone long bar charts turn sideways: the value axis is then x.
    if (cfg.options.indexAxis === "y") {
      var x = cfg.options.scales.x;
      cfg.options.scales.x = cfg.options.scales.y;
      cfg.options.scales.y = x;
    }
    return cfg;
  }

  function draw() {
    if (typeof window.Chart !== "function") return;
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var spec = readData(canvas);
      if (!spec || !spec.labels || spec.labels.length === 0) return;
      canvas.hidden = false;
      new window.Chart(canvas, fixValueAxis(config(spec)));
      canvas.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

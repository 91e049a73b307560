// Routekaart's only script. No inline scripts anywhere: the Content-Security-Policy forbids them.
// Charts: every element with data-plotly holds a Plotly figure as JSON; draw it on load and
// after every htmx swap (so fragments bring their charts with them).
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    root.querySelectorAll("[data-plotly]").forEach(function (element) {
      if (element.dataset.plotlyDrawn) {
        return;
      }
      var figure = JSON.parse(element.dataset.plotly);
      window.Plotly.newPlot(element, figure.data, figure.layout || {}, {
        displaylogo: false,
        // The mode bar styles itself inline, which the CSP forbids; the table has the numbers.
        displayModeBar: false,
        responsive: true,
      });
      element.dataset.plotlyDrawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    document.addEventListener("htmx:afterSwap", function (event) {
      drawCharts(event.detail.target);
    });
  });
})();

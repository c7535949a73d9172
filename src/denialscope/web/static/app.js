// denialscope front end, written here (no framework). Loaded last on every page.
"use strict";

// The session's CSRF token, sent with every state-changing fetch.
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken,
               "Accept": "application/json" },
    body: JSON.stringify(body),
  });
  return response;
}
window.denialscope = { csrfToken, postJson };

// Charts: a page writes <div class="chart" data-chart="ID"></div> and
// <script type="application/json" id="ID">{"data": [...], "layout": {...}}</script>
// (plotly figure JSON); /vendor/plotly.min.js (from the installed plotly wheel) must be loaded
// by the page. A point whose customdata is a URL (or whose customdata[0] is) opens it on click:
// that is how a bar drills down to its claims.
function drawCharts() {
  if (typeof Plotly === "undefined") { return; }
  for (const element of document.querySelectorAll("[data-chart]")) {
    const spec = document.getElementById(element.dataset.chart);
    if (!spec) { continue; }
    const figure = JSON.parse(spec.textContent);
    const config = Object.assign({ displaylogo: false, responsive: true }, figure.config || {});
    Plotly.newPlot(element, figure.data, figure.layout || {}, config).then(() => {
      element.dataset.drawn = "true";
      element.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (!point) { return; }
        const target = Array.isArray(point.customdata) ? point.customdata[0] : point.customdata;
        if (typeof target === "string" && target.startsWith("/")) { window.location.assign(target); }
      });
    });
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawCharts);
} else {
  drawCharts();
}

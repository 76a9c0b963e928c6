/* Kenes development dashboard: render each chart's Vega-Lite spec (a JSON data block in the page)
   with vega-embed. No eval: expressions run in vega-interpreter (the strict CSP stays as it is), no
   injected style element (defaultStyle off; the styles are in development.css). Without JavaScript
   the page shows the server's SVG of the same spec, in a <noscript> image. */
(function () {
  "use strict";
  function boot() {
    if (!window.vegaEmbed || !window.vegaInterpreter) return;
    var nodes = document.querySelectorAll(".dev-vega[data-spec]");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = document.getElementById(node.getAttribute("data-spec"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      if (spec.facet) {
        // Small multiples: two panels a row on a phone, four on a wider screen, sized to fit.
        var columns = node.clientWidth < 560 ? 2 : 4;
        spec.columns = columns;
        spec.spec.width = Math.max(90, Math.floor((node.clientWidth - 90) / columns) - 16);
      } else {
        spec.width = "container";
      }
      node.setAttribute("role", "img");
      node.setAttribute("aria-label", node.getAttribute("data-label") || "");
      window.vegaEmbed(node, spec, {
        renderer: "canvas",
        actions: false,
        ast: true,
        expr: window.vegaInterpreter.expressionInterpreter,
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      }).then(function () {
        node.classList.add("dev-ready");
      }).catch(function (error) {
        node.classList.add("dev-failed");
        if (window.console) window.console.error("chart", error);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();

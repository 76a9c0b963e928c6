/* The silence countdown: the exact deadline is printed beside it, so without scripts nothing is lost. */
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var out = el.querySelector(".countdown-left");
      var left = Date.parse(el.getAttribute("data-deadline")) - Date.now();
      if (!out || isNaN(left)) { return; }
      if (left <= 0) { out.textContent = el.getAttribute("data-passed"); return; }
      var s = Math.floor(left / 1000);
      out.textContent = el.getAttribute("data-template")
        .replace("{d}", Math.floor(s / 86400)).replace("{h}", pad(Math.floor(s % 86400 / 3600)))
        .replace("{m}", pad(Math.floor(s % 3600 / 60))).replace("{s}", pad(s % 60));
    });
  }
  tick();
  setInterval(tick, 1000);
  /* After a paragraph's block is swapped in, keyboard focus goes to its message (or its heading). */
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var selector = config && config.elt ? config.elt.getAttribute("hx-target") : "";
    if (!selector || selector.indexOf("#unit-") !== 0) { return; }
    if (config.elt.hasAttribute("data-live")) { return; }  /* another delegation's change: focus stays */
    var unit = document.querySelector(selector);
    if (!unit) { return; }
    var target = unit.querySelector(".msg.error") || unit.querySelector(".msg") || unit.querySelector("h3");
    if (target && document.activeElement !== target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
  /* A live update (kenes.live.sse) waits while the reader works in that paragraph, and follows
     when the focus leaves it: what is being typed is never replaced. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute("data-live")) { return; }
    var unit = elt.closest(".unit");
    if (unit && unit.contains(document.activeElement)) {
      event.preventDefault();
      unit.setAttribute("data-live-waiting", "");
    }
  });
  document.addEventListener("focusout", function (event) {
    var unit = event.target && event.target.closest ? event.target.closest(".unit[data-live-waiting]") : null;
    if (!unit) { return; }
    setTimeout(function () {
      if (unit.contains(document.activeElement)) { return; }
      unit.removeAttribute("data-live-waiting");
      var live = unit.querySelector("[data-live]");
      if (live && window.htmx) { window.htmx.trigger(live, "kenes:retry"); }
    }, 0);
  });
})();

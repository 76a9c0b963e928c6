/* Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy needs no
   inline script: each hook is a data- attribute, and each page still works without scripts. */
(function () {
  "use strict";

  /* <select data-autosubmit>: choosing an option sends its form (the language switch; without
     scripts its <noscript> button does). */
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  /* <form data-confirm="question">: asks before sending; without scripts the form is sent as is. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();

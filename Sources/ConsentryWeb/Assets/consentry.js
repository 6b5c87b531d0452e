// Consentry web pages: everything works without this file. With it, switches change without
// reloading the page (focus stays on the switch), and irreversible actions ask first.
"use strict";
(function () {
  function confirmFor(form, submitter) {
    var own = submitter && submitter.getAttribute("data-confirm");
    if (own) return own;
    var chosen = form.querySelector("input[type=radio]:checked[data-confirm]");
    return chosen ? chosen.getAttribute("data-confirm") : null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = confirmFor(form, event.submitter);
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    if (!form.classList.contains("switch-form") || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form, event.submitter));
    var key = form.getAttribute("action") + "|" + (form.querySelector("[name=purpose]") || {}).value + "|" + (form.querySelector("[name=dependant]") || {}).value;
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
      .then(function (response) { return response.text().then(function (html) { return { response: response, html: html }; }); })
      .then(function (result) {
        var page = new DOMParser().parseFromString(result.html, "text/html");
        var main = page.querySelector("main");
        if (!main) { window.location.reload(); return; }
        document.querySelector("main").replaceWith(main);
        if (result.response.ok) window.history.replaceState(null, "", result.response.url);
        var again = Array.prototype.find.call(document.querySelectorAll("form.switch-form"), function (f) {
          return f.getAttribute("action") + "|" + (f.querySelector("[name=purpose]") || {}).value + "|" + (f.querySelector("[name=dependant]") || {}).value === key;
        });
        var target = again ? again.querySelector("button") : document.querySelector("main [role=status], main [role=alert]");
        if (target) { if (!again) target.setAttribute("tabindex", "-1"); target.focus(); }
      })
      .catch(function () { form.submit(); });
  });
})();

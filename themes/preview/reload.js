// The theme preview's reload script (assentry theme serve only; the server never sends it): it polls the theme's
// version and reloads the page when the theme directory changed.
(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__preview/version", { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (v) {
        if (seen !== null && v !== seen) {
          location.reload();
          return;
        }
        seen = v;
        setTimeout(poll, 500);
      }, function () { setTimeout(poll, 2000); });
  }
  poll();
})();

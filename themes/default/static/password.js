// Show-password toggle of the login page. The button is hidden in the HTML and shown here, so a browser without
// JavaScript gets a plain password field. Its labels come from the page (data-show, data-hide: the catalog's
// login.show_password and login.hide_password), so this file holds no text of its own.
(function () {
  "use strict";
  var button = document.getElementById("password-toggle");
  var field = document.getElementById("password");
  if (!button || !field) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var show = field.type === "password";
    field.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", show ? "true" : "false");
    button.textContent = show ? button.dataset.hide : button.dataset.show;
    field.focus();
  });
  // Never submit the password as a visible text field: password managers and autocomplete treat it differently.
  if (field.form) {
    field.form.addEventListener("submit", function () {
      field.type = "password";
    });
  }
})();

// Page behaviour without inline script (the Content-Security-Policy forbids it).
document.addEventListener("change", function (event) {
  if (event.target.matches(".js-autosubmit")) {
    event.target.form.submit();
  }
});

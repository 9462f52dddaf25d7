// Behaviour the pages once wrote inline, kept here so the content security policy can refuse
// every inline script.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (form.matches && form.matches("form[data-country-jump]") && form.country) {
    e.preventDefault();
    location.href = "/countries/" + encodeURIComponent(form.country.value);
  }
});

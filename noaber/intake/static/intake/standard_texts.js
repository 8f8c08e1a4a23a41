// Progressive enhancement for choosing a standard text (sjabloon): the "Gebruik sjabloon"
// button fills the text box in place instead of reloading the page. Without JavaScript the
// button submits a GET form and the server fills the box. The text is set as a value (plain
// text), never as HTML.
(function () {
  var chooser = document.querySelector("[data-noaber-standard-texts]");
  if (!chooser) return;
  var box = document.getElementById(chooser.getAttribute("data-noaber-standard-texts"));
  var select = chooser.querySelector("select");
  if (!box || !select) return;
  chooser.addEventListener("submit", function (event) {
    var option = select.options[select.selectedIndex];
    if (!option) return;
    event.preventDefault();
    box.value = option.getAttribute("data-text");
    // Which standard text it was, for the audit log (the form's hidden field).
    var chosen = box.form && box.form.elements["standard_text"];
    if (chosen) chosen.value = option.value;
    box.focus();
  });
})();

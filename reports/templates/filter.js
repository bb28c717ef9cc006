(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  bar.hidden = false;
  var boxes = bar.querySelectorAll("input[data-outcome]");
  function apply() {
    for (var i = 0; i < boxes.length; i++) {
      var rows = document.querySelectorAll(".check[data-outcome='" + boxes[i].getAttribute("data-outcome") + "']");
      for (var j = 0; j < rows.length; j++) { rows[j].hidden = !boxes[i].checked; }
    }
  }
  for (var k = 0; k < boxes.length; k++) { boxes[k].addEventListener("change", apply); }
})();

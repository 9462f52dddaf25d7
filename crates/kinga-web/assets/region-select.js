// Draw blur regions over the working copy: the picture is fetched only when asked (each view is
// a custody entry), and a dragged rectangle fills the first empty region of the form in the
// image's own pixels.
(function () {
  if (window.kingaRegionSelect) return;
  window.kingaRegionSelect = true;
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-region-load]");
    if (!button) return;
    var form = button.closest("[data-region-form]");
    var canvas = form.querySelector("[data-region-canvas]");
    if (canvas.querySelector("img")) return;
    var img = document.createElement("img");
    img.src = button.getAttribute("data-region-load");
    img.alt = "";
    img.draggable = false;
    img.style.maxWidth = "100%";
    img.style.display = "block";
    var box = document.createElement("div");
    box.style.cssText = "position:absolute;border:2px solid #c00;background:rgba(200,0,0,.2);display:none;pointer-events:none";
    canvas.appendChild(img);
    canvas.appendChild(box);
    var start = null;
    function at(ev) {
      var r = img.getBoundingClientRect();
      var x = Math.min(Math.max(ev.clientX - r.left, 0), r.width);
      var y = Math.min(Math.max(ev.clientY - r.top, 0), r.height);
      return { x: x, y: y, sx: img.naturalWidth / r.width, sy: img.naturalHeight / r.height };
    }
    canvas.addEventListener("pointerdown", function (ev) {
      start = at(ev);
      canvas.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!start) return;
      var p = at(ev);
      box.style.display = "block";
      box.style.left = Math.min(start.x, p.x) + "px";
      box.style.top = Math.min(start.y, p.y) + "px";
      box.style.width = Math.abs(p.x - start.x) + "px";
      box.style.height = Math.abs(p.y - start.y) + "px";
    });
    canvas.addEventListener("pointerup", function (ev) {
      if (!start) return;
      var p = at(ev);
      var x0 = Math.floor(Math.min(start.x, p.x) * p.sx), y0 = Math.floor(Math.min(start.y, p.y) * p.sy);
      var x1 = Math.ceil(Math.max(start.x, p.x) * p.sx), y1 = Math.ceil(Math.max(start.y, p.y) * p.sy);
      start = null;
      if (x1 - x0 < 1 || y1 - y0 < 1) return;
      var rows = form.querySelectorAll("[data-region-row]");
      var row = rows[rows.length - 1];
      for (var i = 0; i < rows.length; i++) {
        if (!rows[i].querySelector("input[name^=x]").value) { row = rows[i]; break; }
      }
      var inputs = row.querySelectorAll("input");
      inputs[0].value = x0; inputs[1].value = y0; inputs[2].value = x1 - x0; inputs[3].value = y1 - y0;
    });
  });
})();

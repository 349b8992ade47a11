// Optional drawn signature on the consent step. The typed name is the signature
// that counts; the drawing is stored as a PNG data URL in a hidden field.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var pad = document.querySelector("[data-signature-pad]");
    if (!pad) return;
    var form = pad.closest("form");
    var input = form && form.querySelector("input[name=signature_drawing]");
    var canvas = pad.querySelector("canvas");
    if (!input || !canvas || !canvas.getContext) return;
    pad.hidden = false;
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    if (input.value) {
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0); };
      img.src = input.value;
    }
    var drawing = false;
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
    });
  });
})();

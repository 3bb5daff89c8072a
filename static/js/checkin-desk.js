// The check-in desk's camera scanner. The page works without it: the code
// field has focus, and USB or Bluetooth scanners type the code and press
// Enter. With a camera, a QR code fills the field and submits the form.
// Uses the browser's BarcodeDetector where there is one, else jsQR
// (static/vendor/jsqr/jsQR.js).
(function () {
  "use strict";

  const form = document.getElementById("desk-form");
  const result = document.querySelector(".desk-result");
  const codeField = form && form.querySelector("input[name=code]");
  if (result && codeField) {
    // The code field keeps the focus for the next scan, but on a phone its
    // autofocus scrolled the answer off the screen: show the answer first.
    const showResult = function () {
      if (document.activeElement !== codeField) {
        codeField.focus({ preventScroll: true });
      }
      const box = result.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        // The top of the page when the answer fits under the heading there,
        // so the nurse keeps the page's name and menu in sight.
        if (box.bottom + window.scrollY <= window.innerHeight) {
          window.scrollTo({ top: 0, behavior: "instant" });
        } else {
          result.scrollIntoView({ block: "start", behavior: "instant" });
        }
      }
    };
    showResult();
    // The browser may still scroll to the autofocused field a moment later,
    // smoothly (a quarter of a second on a desktop window): until the nurse
    // touches the page, put the answer back at once, which stops that
    // scroll, and again once any scroll settles.
    let touched = false;
    let settle = null;
    ["pointerdown", "keydown", "wheel", "touchstart"].forEach(function (type) {
      window.addEventListener(type, function () { touched = true; }, { once: true, passive: true });
    });
    window.addEventListener("scroll", function () {
      if (!touched) {
        showResult();
        window.clearTimeout(settle);
        settle = window.setTimeout(showResult, 150);
      }
    }, { passive: true });
  }
  const button = document.getElementById("camera-button");
  const panel = document.getElementById("camera");
  const video = document.getElementById("camera-video");
  const status = document.getElementById("camera-status");
  const stopButton = document.getElementById("camera-stop");
  if (!form || !button || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  const input = form.querySelector("input[name=code]");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let stream = null;
  let detector = null;

  if ("BarcodeDetector" in window) {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      detector = null;
    }
  }
  if (!detector && typeof window.jsQR !== "function") {
    return;
  }
  button.hidden = false;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    panel.hidden = true;
    button.hidden = false;
    input.focus();
  }

  function found(text) {
    stop();
    input.value = text.trim();
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  async function readFrame() {
    if (!stream) {
      return;
    }
    if (video.readyState >= 2) {
      try {
        if (detector) {
          const codes = await detector.detect(video);
          if (codes.length) {
            found(codes[0].rawValue);
            return;
          }
        } else {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          const image = context.getImageData(0, 0, canvas.width, canvas.height);
          const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
          if (code && code.data) {
            found(code.data);
            return;
          }
        }
      } catch (error) {
        // A frame that cannot be read is skipped; the next one is tried.
      }
    }
    window.requestAnimationFrame(readFrame);
  }

  button.addEventListener("click", async function () {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      status.textContent = button.dataset.denied || "The camera is not available. Type the code instead.";
      panel.hidden = false;
      return;
    }
    video.srcObject = stream;
    panel.hidden = false;
    button.hidden = true;
    await video.play();
    window.requestAnimationFrame(readFrame);
  });
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
})();

// The desk's optional sound and vibration on each answer (issue 22): a
// switch kept on this device (localStorage), off until the nurse turns it
// on. A short high double tone for "checked in", one low tone for anything
// else, made with WebAudio (no audio file). Answers come from the server
// (a page with .desk-result) or from the offline desk (a "desk:result" event).
(function () {
  "use strict";

  const KEY = "vaxfleet-desk-feedback";
  const box = document.getElementById("desk-feedback");
  const toggle = document.getElementById("desk-feedback-switch");
  if (!box || !toggle) {
    return;
  }
  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "on";
    } catch (error) {
      return false;
    }
  }
  box.hidden = false;
  toggle.checked = stored();
  let audio = null;

  function tone(start, frequency, seconds) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + seconds + 0.05);
  }
  function signal(ok) {
    if (!toggle.checked) {
      return;
    }
    if (navigator.vibrate) {
      navigator.vibrate(ok ? 120 : [250, 100, 250]);
    }
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      audio = audio || new Context();
      const play = function () {
        const now = audio.currentTime;
        if (ok) {
          tone(now, 880, 0.12);
          tone(now + 0.15, 1320, 0.15);
        } else {
          tone(now, 220, 0.45);
        }
      };
      if (audio.state === "suspended") {
        // The browser may hold sound until the nurse has touched the page.
        audio.resume().then(play).catch(function () {});
      } else {
        play();
      }
    } catch (error) {
      // No sound here: the colours and words say it all.
    }
  }

  toggle.addEventListener("change", function () {
    try {
      window.localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    } catch (error) {
      // Private mode: the switch holds for this page only.
    }
    signal(true);
  });
  document.addEventListener("desk:result", function (event) {
    signal(Boolean(event.detail && event.detail.ok));
  });
  const shown = document.querySelector(".desk-result[data-reason]");
  if (shown) {
    signal(shown.dataset.reason === "checked_in");
  }
})();

// The day board refreshes its counts and rows every few seconds by fetching
// the partial at data-rows-url; no full page reload, and it pauses while the
// tab is hidden. Without JavaScript the board is a normal page.
(function () {
  "use strict";

  const board = document.getElementById("board");
  const note = document.getElementById("board-refreshed");
  if (!board || !board.dataset.rowsUrl || !window.fetch) {
    return;
  }
  const EVERY_MS = 8000;

  async function refresh() {
    if (document.hidden) {
      return;
    }
    try {
      const response = await fetch(board.dataset.rowsUrl, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok) {
        return;
      }
      board.innerHTML = await response.text();
      if (note) {
        note.textContent = note.dataset.label + " " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
      }
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  }

  window.setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
})();

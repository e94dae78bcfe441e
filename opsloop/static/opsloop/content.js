// Content: drag a piece on the calendar to another day to plan it for that day (it keeps its
// time of day), saved through the reschedule API; every piece stays a plain link to its page.
// The body editor marks its preview stale once the Markdown changes after it was shown.
(function () {
  "use strict";
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function init(root) {
    if (root.hasAttribute("data-readonly")) return;
    const status = document.querySelector("[data-testid=cc-status]");
    let dragged = null;
    const say = (message, kind) => {
      status.textContent = message;
      status.className = "cal-status small " + (kind || "");
    };
    document.addEventListener("dragstart", (ev) => {
      const piece = ev.target.closest && ev.target.closest(".cc-piece[draggable=true]");
      dragged = piece || null;
      if (piece) ev.dataTransfer.setData("text/plain", piece.dataset.id);
    });
    root.addEventListener("dragover", (ev) => {
      const cell = ev.target.closest(".cc-cell");
      if (!cell || !dragged) return;
      ev.preventDefault();
      root.querySelectorAll(".cc-cell.drop").forEach((c) => c !== cell && c.classList.remove("drop"));
      cell.classList.add("drop");
    });
    root.addEventListener("dragleave", (ev) => {
      const cell = ev.target.closest(".cc-cell");
      if (cell && !cell.contains(ev.relatedTarget)) cell.classList.remove("drop");
    });
    root.addEventListener("drop", async (ev) => {
      const cell = ev.target.closest(".cc-cell");
      if (!cell || !dragged) return;
      ev.preventDefault();
      cell.classList.remove("drop");
      const piece = dragged;
      dragged = null;
      const home = piece.parentElement;
      const before = piece.nextSibling;
      cell.appendChild(piece);
      const response = await fetch(root.dataset.saveUrl.replace("ID", piece.dataset.id), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ day: cell.dataset.date }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        say(root.dataset.saved, "ok");
      } else {
        home.insertBefore(piece, before);
        say(root.dataset.failed + " " + (body.message || response.status), "error");
      }
    });
  }

  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest(".body-editor")) return;
    const preview = box.closest(".body-editor").querySelector(".body-preview");
    if (preview && preview.childElementCount) preview.classList.add("stale");
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail && event.detail.target;
    if (target instanceof HTMLElement && target.classList.contains("body-preview")) {
      target.classList.remove("stale");
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector(".cc[data-save-url]");
    if (root) init(root);
  });
})();

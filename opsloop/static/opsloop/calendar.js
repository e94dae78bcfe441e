// The calendar: drag an item to another day to make that its due date (keeping its duration
// when it has a start date), saved through the reschedule API with the version read.
(function () {
  "use strict";
  const DAY = 86400000;
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  const toDay = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY);
  const toIso = (n) => new Date(n * DAY).toISOString().slice(0, 10);

  function init(root) {
    if (root.hasAttribute("data-readonly")) return;
    const status = document.querySelector("[data-testid=cal-status]");
    let dragged = null;
    const say = (message, kind) => {
      status.textContent = message;
      status.className = "cal-status small " + (kind || "");
    };
    root.addEventListener("dragstart", (ev) => {
      dragged = ev.target.closest(".cal-item");
      if (dragged) ev.dataTransfer.setData("text/plain", dragged.dataset.ref);
    });
    root.addEventListener("dragover", (ev) => {
      const day = ev.target.closest(".cal-day");
      if (!day || !dragged) return;
      ev.preventDefault();
      root.querySelectorAll(".cal-day.drop").forEach((d) => d !== day && d.classList.remove("drop"));
      day.classList.add("drop");
    });
    root.addEventListener("dragleave", (ev) => {
      const day = ev.target.closest(".cal-day");
      if (day && !day.contains(ev.relatedTarget)) day.classList.remove("drop");
    });
    root.addEventListener("drop", async (ev) => {
      const day = ev.target.closest(".cal-day");
      if (!day || !dragged) return;
      ev.preventDefault();
      day.classList.remove("drop");
      const item = dragged;
      dragged = null;
      const oldDue = item.dataset.due;
      const newDue = day.dataset.date;
      if (newDue === oldDue) return;
      const shift = toDay(newDue) - toDay(oldDue);
      const start = item.dataset.start ? toIso(toDay(item.dataset.start) + shift) : null;
      const home = item.parentElement;
      day.appendChild(item);
      const response = await fetch(root.dataset.saveUrl.replace("REF", item.dataset.ref), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ start_date: start, due_date: newDue, version: Number(item.dataset.version) }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        const mine = body.changed[0];
        item.dataset.version = mine.version;
        item.dataset.due = mine.due_date;
        item.dataset.start = mine.start_date || "";
        say(root.dataset.saved, "ok");
      } else {
        home.appendChild(item);
        say(response.status === 409 ? root.dataset.conflict : root.dataset.failed + " " + (body.message || response.status), "error");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector(".cal[data-save-url]");
    if (root) init(root);
  });
})();

// opsloop page behaviour that is not htmx: the board's drag and drop.
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function move(board, card, from, to) {
    const url = board.dataset.moveUrl.replace("REF", card.dataset.ref);
    const before = card.nextElementSibling;
    const after = card.previousElementSibling;
    const body = new URLSearchParams({ state_id: to.dataset.stateId });
    if (before && before.dataset.id) body.set("before_id", before.dataset.id);
    else if (after && after.dataset.id) body.set("after_id", after.dataset.id);
    card.classList.add("saving");
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin",
    }).then(function (response) {
      card.classList.remove("saving");
      if (!response.ok) {
        from.appendChild(card);
        return response.json().then(function (data) { window.alert(data.message || response.statusText); });
      }
      if (from !== to) {
        const fromCount = from.closest(".column").querySelector("[data-count]");
        const toCount = to.closest(".column").querySelector("[data-count]");
        fromCount.textContent = Math.max(0, parseInt(fromCount.textContent, 10) - 1);
        toCount.textContent = parseInt(toCount.textContent, 10) + 1;
      }
      card.dataset.saved = "1";
    });
  }

  function initBoard() {
    const board = document.querySelector(".board");
    if (!board || board.hasAttribute("data-readonly") || typeof window.Sortable === "undefined") return;
    board.querySelectorAll(".cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "board",
        animation: 120,
        ghostClass: "ghost-card",
        onEnd: function (evt) {
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
          move(board, evt.item, evt.from, evt.to);
        },
      });
    });
  }

  // Keyboard: "/" focuses the search box, "c" the quick-create title.
  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.metaKey || event.ctrlKey) return;
    if (event.key === "/") {
      const search = document.querySelector(".filters input[name=q]");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === "c") {
      const title = document.querySelector(".quick-create input[name=title]");
      if (title) { event.preventDefault(); title.focus(); }
    }
  });

  document.addEventListener("DOMContentLoaded", initBoard);
})();

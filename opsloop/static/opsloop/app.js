// opsloop page behaviour that is not htmx: the board's drag and drop, confirmations,
// selects that submit their form, and the Alpine components every page may use.
//
// Pages carry no inline script and no on...= handler: the Content-Security-Policy
// (docs/security.md) refuses them. Templates say what they want with data- attributes
// and this file does it:
//   data-confirm="Question?"  on a form: asks before it is submitted; on a button or
//                             link: asks before its click does anything.
//   data-autosubmit           on a select or input: a change submits its form.
//   data-kind-switch          on a select: its form's fields marked data-for-kind="a b"
//                             show only while the select's value is a or b (without
//                             script all show, and the server ignores the others).
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

  // Capture phase, so that a "Cancel" stops the submit or click before anything else
  // (htmx included) acts on it. Listening on the document also covers markup that htmx
  // swaps in later.
  document.addEventListener(
    "submit",
    function (event) {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
  document.addEventListener(
    "click",
    function (event) {
      const target = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
      // A form's own question is asked by the submit listener above.
      if (!target || target instanceof HTMLFormElement) return;
      if (!window.confirm(target.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
  function showKindFields(select) {
    if (!select.form) return;
    select.form.querySelectorAll("[data-for-kind]").forEach(function (field) {
      field.hidden = field.dataset.forKind.split(" ").indexOf(select.value) < 0;
    });
  }
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit();
    }
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-kind-switch")) {
      showKindFields(field);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-kind-switch]").forEach(showKindFields);
  });

  // Alpine runs its CSP build (no eval): a component is registered here by name and the
  // template names it in x-data, instead of writing an object literal there.
  document.addEventListener("alpine:init", function () {
    // An item's description: Markdown shown, or its textarea while editing. The form
    // opens in editing mode when it comes back with an error (data-editing).
    window.Alpine.data("descriptionEditor", function () {
      return {
        editing: false,
        init() {
          this.editing = this.$el.hasAttribute("data-editing");
        },
        toggle() {
          this.editing = !this.editing;
        },
      };
    });
  });

  document.addEventListener("DOMContentLoaded", initBoard);
})();

// The comment editor's @mention autocomplete: typing @ and a few letters lists the members
// who can see the project (by username or display name, 张 finds 张敏); picking one
// writes @username. Without JavaScript the textarea is a plain textarea.
(function () {
  "use strict";

  const TRIGGER = /(^|[^\p{L}\p{N}_@.+-])@([\p{L}\p{N}_.+-]{0,40})$/u;

  function mentionEditor(url) {
    return {
      open: false,
      users: [],
      index: 0,
      start: -1,
      timer: null,
      asked: 0,

      lookup() {
        const input = this.$refs.input;
        const before = input.value.slice(0, input.selectionStart);
        const match = before.match(TRIGGER);
        if (!match) {
          this.close();
          return;
        }
        this.start = input.selectionStart - match[2].length - 1;
        const query = match[2];
        const asked = ++this.asked;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          fetch(url + "?q=" + encodeURIComponent(query), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          })
            .then((response) => (response.ok ? response.json() : []))
            .then((users) => {
              if (asked !== this.asked) return; // an answer to an older keystroke
              this.users = users;
              this.index = 0;
              this.open = users.length > 0;
            })
            .catch(() => this.close());
        }, 120);
      },

      key(event) {
        if (!this.open || event.isComposing) return;
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          const step = event.key === "ArrowDown" ? 1 : -1;
          this.index = (this.index + step + this.users.length) % this.users.length;
          event.preventDefault();
        } else if (event.key === "Enter" || event.key === "Tab") {
          this.pick(this.users[this.index]);
          event.preventDefault();
        } else if (event.key === "Escape") {
          this.close();
          event.preventDefault();
        }
      },

      pick(user) {
        const input = this.$refs.input;
        const end = input.selectionStart;
        const text = "@" + user.username + " ";
        input.value = input.value.slice(0, this.start) + text + input.value.slice(end);
        const caret = this.start + text.length;
        input.setSelectionRange(caret, caret);
        input.focus();
        this.close();
      },

      close() {
        this.open = false;
        this.users = [];
      },

      // On blur, after a click on the menu has had time to pick.
      closeSoon() {
        setTimeout(() => this.close(), 150);
      },
    };
  }

  window.opsloopMentionEditor = mentionEditor;
  document.addEventListener("alpine:init", function () {
    window.Alpine.data("mentionEditor", mentionEditor);
  });
})();

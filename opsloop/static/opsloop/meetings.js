// Meetings: drag agenda topics to reorder them (the arrows do the same without JavaScript),
// and keep a new meeting's end an hour after its start until the end is set by hand.
(function () {
  function csrf() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function sortableAgenda(list) {
    if (!window.Sortable || !list.dataset.reorderUrl) return;
    window.Sortable.create(list, {
      handle: ".handle",
      draggable: ".topic",
      onEnd: function () {
        var ids = Array.prototype.map.call(list.querySelectorAll(".topic"), function (li) {
          return Number(li.dataset.id);
        });
        list.classList.add("saving");
        fetch(list.dataset.reorderUrl, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ agenda_item_ids: ids }),
        }).then(function (response) {
          list.classList.remove("saving");
          list.dataset.saved = response.ok ? "1" : "0";
          if (!response.ok) window.location.reload();
        });
      },
    });
  }

  function pad(n) { return String(n).padStart(2, "0"); }

  function meetingForm(form) {
    var starts = form.querySelector("[data-starts]");
    var ends = form.querySelector("[data-ends]");
    var kind = form.querySelector("[data-kind]");
    var privacy = form.querySelector("[data-private]");
    var endTouched = false;
    if (ends) ends.addEventListener("change", function () { endTouched = true; });
    if (starts && ends) starts.addEventListener("change", function () {
      if (endTouched || !starts.value) return;
      var d = new Date(starts.value);
      if (isNaN(d)) return;
      d.setHours(d.getHours() + 1);
      ends.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
    });
    if (kind && privacy) {
      var sync = function () {
        if (kind.value === "one_on_one") privacy.value = "true";
        privacy.disabled = false;
      };
      kind.addEventListener("change", sync);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("ol.agenda[data-reorder-url]").forEach(sortableAgenda);
    document.querySelectorAll("[data-meeting-form]").forEach(meetingForm);
  });
})();

// Reports: a text block's editor shows its preview beside the Markdown once asked for
// (htmx fetches it), and says so when the text has changed since.
(() => {
  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest(".report-editor")) return;
    const preview = box.closest(".report-editor").querySelector(".report-preview");
    if (preview && preview.childElementCount) preview.classList.add("stale");
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail && event.detail.target;
    if (target instanceof HTMLElement && target.classList.contains("report-preview")) {
      target.classList.remove("stale");
    }
  });
})();


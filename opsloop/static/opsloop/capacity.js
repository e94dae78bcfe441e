// A suggested person, clicked, ticks their assignee checkbox in the item's edit form.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-assign]");
  if (!button) return;
  const box = document.querySelector(`input[name="assignee_ids"][value="${button.dataset.assign}"]`);
  if (!box || box.disabled) return;
  box.checked = true;
  box.dispatchEvent(new Event("change", { bubbles: true }));
  button.classList.add("picked");
});

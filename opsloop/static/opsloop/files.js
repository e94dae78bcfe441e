// File uploads: several files by drag and drop or picker, each sent in its own request
// with a progress bar (XMLHttpRequest upload events), one after another. Without this script the form posts.
// A new version (data-upload="single") is only chosen on drop or pick and goes up on Upload,
// so the "what changed" note typed after choosing the file goes up with it.
(function () {
  "use strict";

  function csrfToken(form) {
    const field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function row(list, file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "uname";
    name.textContent = file.name;
    const state = document.createElement("span");
    state.className = "ustate";
    state.textContent = "0%";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    li.append(name, state, bar);
    li.dataset.state = "uploading";
    list.appendChild(li);
    return { li: li, state: state, bar: bar };
  }

  function fail(r, message) {
    r.li.dataset.state = "error";
    r.state.textContent = message;
  }

  function refresh(form) {
    const selector = form.dataset.refresh;
    if (!selector) {
      window.location.reload();
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        const current = document.querySelector(selector);
        if (!fresh || !current) return;
        // An attachments region holds its own form: keep the live one and its progress.
        const liveForm = current.querySelector("form[data-upload]");
        const freshForm = fresh.querySelector("form[data-upload]");
        if (liveForm && freshForm) freshForm.replaceWith(liveForm);
        current.replaceWith(fresh);
      });
  }

  function send(form, files) {
    if (form.dataset.upload === "single") files = files.slice(0, 1);
    if (!files.length) return;
    const list = form.querySelector(".upload-list");
    const max = parseInt(form.dataset.maxBytes, 10) || Infinity;
    let pending = files.length;
    let uploaded = 0;
    form.dataset.state = "uploading";
    function finished() {
      pending -= 1;
      if (pending > 0) return;
      form.dataset.state = "done";
      if (uploaded) refresh(form);
    }
    // One file at a time: each gets the whole connection, and the server one write at a time.
    const queue = files.map(function (file) { return { file: file, r: row(list, file) }; });
    function next() {
      const entry = queue.shift();
      if (!entry) return;
      upload(form, entry.file, entry.r, max, function (ok) {
        if (ok) uploaded += 1;
        finished();
        next();
      });
    }
    next();
  }

  function upload(form, file, r, max, done) {
    if (file.size > max) {
      fail(r, form.dataset.msgTooLarge);
      done(false);
      return;
    }
    const data = new FormData(form);
    data.delete("file");
    data.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      r.bar.value = percent;
      r.state.textContent = percent + "%";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        r.bar.value = 100;
        r.li.dataset.state = "done";
        r.state.textContent = "✓ " + form.dataset.msgDone;
        done(true);
        return;
      }
      let message = form.dataset.msgFailed;
      try { message = JSON.parse(xhr.responseText).message || message; } catch (e) { /* not JSON */ }
      fail(r, message);
      done(false);
    });
    xhr.addEventListener("error", function () {
      fail(r, form.dataset.msgFailed);
      done(false);
    });
    xhr.send(data);
  }

  function init(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    form.classList.add("js");
    const input = form.querySelector("input[type=file]");
    const zone = form.querySelector(".dropzone");
    const single = form.dataset.upload === "single";
    const chosen = form.querySelector(".upload-chosen");
    const submit = form.querySelector(".upload-submit");
    const note = form.querySelector("input[name=note]");
    let staged = [];

    function stage(files) {
      staged = files.slice(0, 1);
      if (chosen) {
        chosen.hidden = !staged.length;
        chosen.textContent = staged.length
          ? (form.dataset.msgChosen || "{name}").replace("{name}", staged[0].name)
          : "";
      }
      if (submit) submit.disabled = !staged.length;
      if (staged.length && note) note.focus();
    }

    function choose(files) {
      if (single) stage(files);
      else send(form, files);
    }

    if (single) stage([]);
    input.addEventListener("change", function () {
      choose(Array.from(input.files));
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!single) {
        send(form, Array.from(input.files));
        return;
      }
      const files = staged;
      stage([]);
      send(form, files);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      choose(Array.from(event.dataTransfer.files));
    });
  }

  function initAll() {
    document.querySelectorAll("form[data-upload]").forEach(init);
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        const input = button.parentElement.querySelector("input");
        input.select();
        if (navigator.clipboard) navigator.clipboard.writeText(input.value);
        else document.execCommand("copy");
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();

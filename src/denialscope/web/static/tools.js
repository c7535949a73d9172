// Upload forms (scrubber, ingest): sent with XMLHttpRequest so the user sees the upload's
// progress; the server's answer (the same page with the results) replaces the page's main.
// Without JavaScript the form posts normally and the same page comes back.
"use strict";

(function () {
  function say(form, text, failed) {
    const status = form.querySelector(".upload-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("error", Boolean(failed));
    }
  }

  function tooLarge(form) {
    const limit = Number(form.dataset.limit || 0);
    const input = form.querySelector('input[type="file"]');
    if (!limit || !input) { return false; }
    let total = 0;
    for (const file of input.files) { total += file.size; }
    if (total > limit) {
      say(form, "These files add up to " + (total / 1e6).toFixed(1) + " MB, more than the "
        + (limit / 1e6).toFixed(0) + " MB an upload may carry: split them.", true);
      form.querySelector(".upload-progress").hidden = false;
      return true;
    }
    return false;
  }

  function replaceMain(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.querySelector("main");
    const current = document.querySelector("main");
    if (!fresh || !current) { return false; }
    current.replaceWith(fresh);
    bind();
    const result = document.getElementById("upload-result");
    if (result) { result.scrollIntoView({ block: "start" }); }
    return true;
  }

  function send(form) {
    const progress = form.querySelector(".upload-progress");
    const bar = progress.querySelector("progress");
    const button = form.querySelector('button[type="submit"]');
    progress.hidden = false;
    bar.value = 0;
    button.disabled = true;
    say(form, "Uploading…");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", window.denialscope ? window.denialscope.csrfToken : "");
    xhr.setRequestHeader("Accept", "text/html");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        bar.value = Math.round((event.loaded / event.total) * 100);
        say(form, "Uploading… " + bar.value + "% of " + (event.total / 1e6).toFixed(1) + " MB");
      }
    });
    xhr.upload.addEventListener("load", () => {
      bar.value = 100;
      say(form, "Uploaded; reading the files (each file's result follows)…");
    });
    xhr.addEventListener("load", () => {
      button.disabled = false;
      const type = xhr.getResponseHeader("Content-Type") || "";
      if (type.startsWith("text/html") && replaceMain(xhr.responseText)) { return; }
      let message = "the server answered " + xhr.status;
      try {
        const body = JSON.parse(xhr.responseText);
        message = body.detail || body.error || message;
      } catch (ignored) { /* not JSON: keep the status */ }
      say(form, "Refused: " + message, true);
    });
    xhr.addEventListener("error", () => {
      button.disabled = false;
      say(form, "The upload did not reach the server (network error): try again.", true);
    });
    xhr.send(new FormData(form));
  }

  function bind() {
    for (const form of document.querySelectorAll("form.upload-form")) {
      if (form.dataset.bound) { continue; }
      form.dataset.bound = "true";
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!tooLarge(form)) { send(form); }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();

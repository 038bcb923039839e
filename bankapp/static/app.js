// Staff Bank progressive enhancement. Loaded as a module from base.html.
// Every page works without this file: it only adds NHS.UK component
// behaviour, confirm prompts and a message when an htmx request fails.
import { initAll } from "./vendor/nhsuk-frontend.min.js";

const ignoreInitErrors = () => {};

// NHS.UK frontend only runs where body says it is supported (the NHS
// template sets these classes with an inline script, which our CSP forbids).
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Components inside content swapped in by htmx need starting too.
document.body.addEventListener("htmx:load", (event) => {
  const scope = event.detail.elt.parentElement || event.detail.elt;
  initAll({ scope, onError: ignoreInitErrors });
});

// ---- Confirm prompts: data-confirm="Cancel this booking?" ----------------
// On a <form> or its submit button: asked on submit (plain or htmx forms).
// On a link or an htmx element outside a form: asked on click.

function confirmed(message) {
  return !message || window.confirm(message);
}

function stop(event) {
  event.preventDefault();
  event.stopImmediatePropagation();
}

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const message =
      (submitter && submitter.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (!confirmed(message)) stop(event);
  },
  true,
);

document.addEventListener(
  "click",
  (event) => {
    const element = event.target.closest("[data-confirm]");
    if (!element || element.tagName === "FORM") return;
    const submitsForm =
      element.form && (element.type === "submit" || element.type === "image");
    if (submitsForm) return; // asked on submit instead
    if (!confirmed(element.getAttribute("data-confirm"))) stop(event);
  },
  true,
);

// ---- htmx failures: say so instead of silently doing nothing -------------

const liveError = document.getElementById("app-live-error");

function showError(text) {
  if (!liveError) return;
  liveError.querySelector(".app-live-error__message").textContent = text;
  liveError.hidden = false;
  liveError.focus();
}

function messageFor(status) {
  if (status === 403) return "You do not have permission to do that.";
  if (status === 404) return "That page or record no longer exists. Refresh the page.";
  if (status === 429) return "Too many attempts. Wait a few minutes, then try again.";
  if (status === 400) return "Your session may have expired. Refresh the page and try again.";
  return "Something went wrong. Refresh the page to check what was saved, then try again.";
}

document.body.addEventListener("htmx:beforeRequest", () => {
  if (liveError) liveError.hidden = true;
});

document.body.addEventListener("htmx:sendError", () => {
  showError(
    "Staff Bank could not be reached. Check your signal or connection, then try again.",
  );
});

document.body.addEventListener("htmx:timeout", () => {
  showError("Staff Bank took too long to reply. Check your signal, then try again.");
});

document.body.addEventListener("htmx:responseError", (event) => {
  showError(messageFor(event.detail.xhr.status));
});

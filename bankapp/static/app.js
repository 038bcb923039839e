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

// ---- Logging out clears the pages kept for offline use (static/sw.js) ----
// The worker empties them before it sends the logout on (even without signal), and the answer carries
// Clear-Site-Data; clearing here too costs nothing. Nothing of this person stays readable on a shared phone.

const KEPT_PAGES = "staff-bank-pages";

document.addEventListener(
  "submit",
  (event) => {
    if (event.target.matches('form[action$="/logout"]') && window.caches) {
      caches.delete(KEPT_PAGES).catch(() => {});
    }
  },
  true,
);

// ---- Offline: say so, and say that changes need a connection ------------

const offlineBanner = document.getElementById("app-offline");
const keptCopy = document.documentElement.dataset.served === "cache";
const NEEDS_CONNECTION =
  "You're offline. This needs a connection: try again when you have signal.";

function showOffline() {
  if (offlineBanner) offlineBanner.hidden = navigator.onLine && !keptCopy;
}

window.addEventListener("online", showOffline);
window.addEventListener("offline", showOffline);
showOffline();

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (navigator.onLine || form.matches('form[action$="/logout"]')) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    stop(event);
    showError(NEEDS_CONNECTION);
  },
  true,
);

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

document.body.addEventListener("htmx:beforeRequest", (event) => {
  if (!navigator.onLine) {
    event.preventDefault();
    showError(NEEDS_CONNECTION);
    return;
  }
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

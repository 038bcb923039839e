// Staff Bank service worker (served from /sw.js: its scope is the whole app). See bankapp/pwa.py.
//
// - App files (styles, scripts, icons, the offline page): served from the cache, refreshed in the background.
// - The doctor's pages (home, My shifts, the last board, shift pages): from the network when there is one,
//   a copy kept in PAGES; without a network, that copy. The board is kept once, as "the last board".
// - Anything else without a network: the offline page, which says the action needs a connection.
// - Logging out (before the request is sent on, even without signal), or the server sending the browser to
//   the login page, empties PAGES: nothing of one person stays readable for the next on a shared phone.

const APP = "staff-bank-app-v1";
const PAGES = "staff-bank-pages";
const OFFLINE = "/offline";
const APP_FILES = [
  OFFLINE,
  "/static/app.css",
  "/static/app.js",
  "/static/vendor/nhsuk-frontend.min.css",
  "/static/vendor/nhsuk-frontend.min.js",
  "/static/vendor/htmx.min.js",
  "/static/vendor/assets/images/favicon.ico",
  "/static/vendor/assets/images/favicon.svg",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
];
const LAST_BOARD = "/shifts";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(APP)
      .then((cache) => cache.addAll(APP_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("staff-bank-app-") && k !== APP)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function keptPage(url) {
  // The pages a doctor may need without signal: home, My shifts, the board and a shift's page.
  const path = url.pathname;
  return path === "/" || path === "/my-shifts" || path === "/shifts" || /^\/shifts\/\d+$/.test(path);
}

function pageKey(url) {
  return url.pathname === LAST_BOARD ? LAST_BOARD : url.pathname;
}

async function fromNetworkKeepingPage(request) {
  const url = new URL(request.url);
  const response = await fetch(request);
  const landed = new URL(response.url || request.url);
  if (landed.pathname === "/login") {
    await caches.delete(PAGES); // signed out (here or elsewhere): keep nothing of theirs
  } else if (response.ok && keptPage(url) && landed.pathname === url.pathname) {
    const cache = await caches.open(PAGES);
    await cache.put(pageKey(url), response.clone());
  }
  return response;
}

async function markedAsKept(response) {
  // The page then shows "You're offline — last updated HH:MM" (app.js reads data-served).
  const html = (await response.text()).replace('data-served="network"', 'data-served="cache"');
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function offlineAnswer(request) {
  const url = new URL(request.url);
  if (request.method === "GET" && keptPage(url)) {
    const kept = await caches.match(pageKey(url), { cacheName: PAGES });
    if (kept) return markedAsKept(kept);
  }
  const page = await caches.match(OFFLINE, { cacheName: APP });
  return page || new Response("You're offline. Staff Bank needs a connection for this.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

async function appFile(request) {
  const cache = await caches.open(APP);
  const cached = await cache.match(request);
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached);
  return cached || refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && APP_FILES.includes(url.pathname) && url.pathname !== OFFLINE) {
    event.respondWith(appFile(request));
    return;
  }
  if (request.method === "POST" && url.pathname === "/logout") {
    // Forget their pages first, whether or not the logout then reaches the server.
    event.respondWith(caches.delete(PAGES).then(() => fetch(request)).catch(() => offlineAnswer(request)));
    return;
  }
  if (request.mode === "navigate" || (request.method === "GET" && keptPage(url))) {
    event.respondWith(fromNetworkKeepingPage(request).catch(() => offlineAnswer(request)));
  }
  // Everything else (API calls, htmx posts) goes to the network as usual; app.js says when it cannot.
});

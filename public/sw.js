// Antrean service worker: keeps the device pages (kiosk, counter, display) working when
// the network or the server is down. The server replaces __BUILD__ with a hash of the
// compiled bundle (so each deployment installs a fresh cache and removes the old one) and
// __JS__, __WASM__, __CSS__ with the content-hashed names of the bundle that hydrates the
// page the worker was registered for (the counter and the display have their own, under
// /counter/pkg/ and /display/pkg/) and of the site's stylesheet.
const VERSION = "__BUILD__";
const CACHE = `antrean-shell-${VERSION}`;
// Each office tablet is one device: the page registers the worker with its own path
// (`/sw.js?page=/kiosk`), and only that page is precached, not every device's (a kiosk
// has no use for the counter's page; bytes on the wire, BENCHMARKS.md item 5a). Another
// device page opened on the same browser is cached when it is first visited online.
const DEVICE_PAGES = ["/", "/kiosk", "/counter", "/display"];
const asked = new URL(self.location.href).searchParams.get("page");
const PAGES = DEVICE_PAGES.includes(asked) ? [asked] : DEVICE_PAGES;
const SHELL = [
  ...PAGES,
  "__JS__",
  "__WASM__",
  "__CSS__",
  "/manifest.webmanifest",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/fonts/inter-latin-400-normal.woff2",
  "/fonts/inter-latin-600-normal.woff2",
  "/fonts/inter-latin-800-normal.woff2",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // One missing optional file (a font) must not leave the device without a shell.
      // Pages are fetched anew; the bundle's hashed files never change and fonts and
      // icons are kept for a week, so the copies the page just downloaded (in the HTTP
      // cache) are the right ones and cost no second download.
      Promise.all(SHELL.map((url) => {
        const mode = PAGES.includes(url) || url === "/manifest.webmanifest" ? "reload" : "default";
        return cache.add(new Request(url, { cache: mode })).catch(() => undefined);
      })),
    ).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("antrean-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // Live data is never cached: the sync layer handles being offline.
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  // The citizen page is live data too; it needs the server.
  if (url.pathname.startsWith("/t/")) return;

  if (req.mode === "navigate") {
    // Network first so a deployment shows at once; the cached shell when offline.
    event.respondWith(
      fetch(req)
        .then((resp) => {
          if (resp.ok) {
            const copy = resp.clone();
            caches.open(CACHE).then((c) => c.put(url.pathname, copy));
          }
          return resp;
        })
        .catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())),
    );
    return;
  }
  // Static assets: the versioned cache first.
  event.respondWith(
    caches.match(req).then((hit) => hit || fetch(req).then((resp) => {
      if (resp.ok && (url.pathname.includes("/pkg/") || url.pathname.startsWith("/fonts/") || url.pathname.startsWith("/icons/"))) {
        const copy = resp.clone();
        caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return resp;
    })),
  );
});

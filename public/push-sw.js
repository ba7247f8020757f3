// Antrean's notification worker for citizens' pages (scope /t/): shows what the server
// sends through Web Push (already decrypted by the browser: {title, body, url, tag}) and
// opens the ticket's page when the notification is tapped. It caches nothing: the
// citizen's page is live data (the office devices' offline worker is /sw.js).
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let m = {};
  try {
    m = event.data ? event.data.json() : {};
  } catch (_) {
    m = { body: event.data ? event.data.text() : "" };
  }
  // Only pages of this site, only ticket pages.
  const url = typeof m.url === "string" && m.url.startsWith("/t/") ? m.url : "/";
  event.waitUntil(
    self.registration.showNotification(m.title || "Antrean", {
      body: m.body || "",
      tag: m.tag || "antrean",
      renotify: true,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      vibrate: [300, 100, 300],
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((open) => {
      for (const c of open) {
        if (c.url === url && "focus" in c) return c.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});

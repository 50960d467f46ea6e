// Keeps the phone page's shell on the phone: a reload without a connection still opens it,
// and the page shows the route it saved. API calls always go to the network.
const CACHE = "carecircle-m-v1";
const SHELL = ["/m/", "/assets/app.css", "/assets/common.js", "/assets/strings.js", "/assets/phone.js",
  "/assets/vendor/leaflet/leaflet.js", "/assets/vendor/leaflet/leaflet.css"];

self.addEventListener("install", (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL))));
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.pathname.startsWith("/v1/")) return;
  // The network first (new versions), the saved shell when there is none.
  e.respondWith(
    fetch(e.request)
      .then((r) => {
        const copy = r.clone();
        caches.open(CACHE).then((c) => c.put(e.request, copy));
        return r;
      })
      .catch(() => caches.match(e.request)),
  );
});

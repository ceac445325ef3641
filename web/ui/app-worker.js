// Posterity's service worker: go-app's DefaultAppWorkerJS (v10.1.11), with
// these changes, each because of something measured:
//
//  1. install and activate wait for their work (event.waitUntil). go-app's
//     template does not, so the worker could be "activated" while the cache
//     was still filling, and a page that went offline then failed to load.
//  2. A resource whose URL carries a content hash ("?v=<sha256 prefix>") is
//     copied from an older version's cache instead of downloaded again. A new
//     head or a new app.wasm bumps the version; the 3.6 MB backbone, unchanged,
//     is then not re-downloaded (go-app's template re-downloads everything).
//  3. Push notifications are left out: the app does not use them.
//  5. Offline, a navigation that is not cached as such falls back to the
//     cached page without its query string (fetchWithCache).
//  4. activate keeps the caches whose name starts with "posterity-": the
//     inference worker's own (wasm/worker.js keeps the ImageNet classifier,
//     fetched only when someone asks for the top-5, in "posterity-imagenet"),
//     so an app update does not throw it away.
//
// go-app fills in the version and the list of URLs to cache below.
const cacheName = "app-" + "{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      console.log("installing app worker {{.Version}}");
      const cache = await caches.open(cacheName);
      await Promise.all(
        resourcesToCache.map(async (url) => {
          if (url.includes("?v=")) {
            const old = await caches.match(url);
            if (old) {
              await cache.put(url, old);
              return;
            }
          }
          await cache.add(url);
        })
      );
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => k !== cacheName && !k.startsWith("posterity-")).map((k) => caches.delete(k)));
      await self.clients.claim();
      console.log("app worker {{.Version}} is activated");
    })()
  );
});

self.addEventListener("fetch", (event) => {
  event.respondWith(fetchWithCache(event.request));
});

async function fetchWithCache(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  try {
    return await fetch(request);
  } catch (err) {
    // Offline, a page (a route with a query string, say "/?decode=browser")
    // that is not cached as such is the cached page without its query:
    // go-app renders the route from the URL it is on.
    if (request.mode === "navigate") {
      const page = await caches.match(request, { ignoreSearch: true });
      if (page) {
        return page;
      }
    }
    throw err;
  }
}

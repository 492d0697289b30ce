/* The field pages' service worker (scope /cases/field/), served by gridgov.cases.views.field.service_worker,
   which puts VERSION, ASSETS (the static files of the pages) and PAGES (the report page) above this.

   Pages: network first (always fresh online); offline, any field page is answered with the last good copy of
   the report page (only that page is kept: the task lists are not left on a phone that may be shared). Static
   assets: from the cache, refreshed in the background. Nothing else is touched: reports are POSTed by the page
   itself, which keeps them in its outbox when the network is away (a service worker never replays a POST). */
const CACHE = `gridgov-field-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(ASSETS.map((url) => cache.add(url).catch(() => undefined)));
    await Promise.all(PAGES.map(async (url) => {
      try {
        const r = await fetch(url, { credentials: "same-origin" });
        if (r.ok && !r.redirected) await cache.put(url, r);
      } catch (e) { /* offline at install: the page is cached on the next visit */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("gridgov-field-") && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

async function pageFirst(request) {
  const url = new URL(request.url);
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && PAGES.includes(url.pathname)) await cache.put(url.pathname, response.clone());
    return response;
  } catch (e) {
    const report = await cache.match(PAGES[0]);
    if (report) {  // marked, so that the page (and a test) can tell it came from the phone
      const headers = new Headers(report.headers);
      headers.set("X-Gridgov-Offline", "1");
      return new Response(await report.blob(), { status: 200, headers });
    }
    return new Response("<!doctype html><meta charset=utf-8><title>离线</title><p>现在没有网络，这一页还没有保存在本机。</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

async function assetFromCache(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  const refresh = fetch(request).then((r) => { if (r.ok) cache.put(request, r.clone()); return r; });
  if (cached) { refresh.catch(() => undefined); return cached; }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/cases/field/")) {
    event.respondWith(pageFirst(request));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(assetFromCache(request));
  }
});

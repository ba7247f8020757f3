// The foundation's promise: a kiosk keeps working when the server is gone — the page
// reloads from the service worker's cache, hydrates, responds to taps, and still has what
// it wrote to IndexedDB. When the server comes back, everything reaches it.
import { test, expect, Page } from "@playwright/test";
import { Server, openDevice, shotsDir } from "./harness";
import { join } from "node:path";

let server: Server;

test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

async function shellCached(page: Page) {
  // The service worker controls the page and its cache holds the kiosk page and bundle.
  await page.waitForFunction(async () => {
    if (!navigator.serviceWorker.controller) return false;
    const keys = await caches.keys();
    const name = keys.find((k) => k.startsWith("antrean-shell-"));
    if (!name) return false;
    const c = await caches.open(name);
    return !!(await c.match("/kiosk")) && !!(await c.match("/pkg/antrean.wasm"));
  }, null, { timeout: 30_000 });
}

async function issue(page: Page): Promise<string> {
  await page.getByTestId("service-legalisir-ktp-el").click();
  await expect(page.getByTestId("requirements")).toContainText("Fotokopi KTP-el");
  await page.getByTestId("take-number").click();
  const n = page.getByTestId("ticket-number");
  await expect(n).toBeVisible();
  const number = (await n.textContent())!.trim();
  await page.getByTestId("done").click();
  return number;
}

test("the kiosk issues tickets across reloads with the server stopped, and they reach the server", async ({ page, browser }) => {
  // A counter in another browser, open all along: it must show the tickets when the
  // server returns, without a reload.
  const counterCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const counter = await counterCtx.newPage();
  await openDevice(server, counter, "/counter");
  await counter.getByTestId("loket-1").click();

  await openDevice(server, page, "/kiosk");
  await expect(page.getByTestId("service-legalisir-ktp-el")).toBeVisible();
  await shellCached(page);
  // Only this tablet's own page is precached, not the other devices' or the admin's.
  const others = await page.evaluate(async () => {
    const c = await caches.open((await caches.keys()).find((k) => k.startsWith("antrean-shell-"))!);
    return Promise.all(["/counter", "/display", "/admin", "/"].map(async (p) => !!(await c.match(p))));
  });
  expect(others).toEqual([false, false, false, false]);
  await expect(page.getByTestId("sync-chip")).toContainText("Terhubung");
  // The first ticket is written to IndexedDB through the app; online, its number is the
  // server's next.
  const first = await issue(page);
  expect(first).toMatch(/^A-\d{3}$/);
  await expect(page.getByTestId("last-issued")).toContainText(first);

  await server.down("SIGKILL");
  await page.reload();
  // Rendered from the cache, hydrated, and the stored value read back from IndexedDB.
  await expect(page.getByTestId("last-issued")).toContainText(first);
  await expect(page.getByTestId("service-legalisir-ktp-el")).toBeVisible();
  await expect(page.getByTestId("sync-chip")).toContainText("Luring", { timeout: 20_000 });
  // Still responds to a tap: another ticket, offline.
  const second = await issue(page);
  // Offline, the kiosk's own series: visibly apart from the numbers the server gives.
  expect(second).toMatch(/^A\d-\d{3}$/);
  await expect(page.getByTestId("last-issued")).toContainText(second);
  await expect(page.getByTestId("sync-chip")).toContainText("menunggu dikirim");
  await page.screenshot({ path: join(shotsDir(), "kiosk-offline-tablet.png") });

  // Another reload while still offline keeps the pending ticket, and the next tap goes on
  // after it: a tap stores only its outbox entry, so the number pool and the mutation ids
  // are recovered from the outbox (a reused id would overwrite the second ticket).
  await page.reload();
  await expect(page.getByTestId("last-issued")).toContainText(second);
  const third = await issue(page);
  expect(third).toMatch(/^A\d-\d{3}$/);
  expect([first, second]).not.toContain(third);
  await page.reload();
  await expect(page.getByTestId("last-issued")).toContainText(third);

  await server.up();
  await expect(page.getByTestId("sync-chip")).toHaveText(/Terhubung$/, { timeout: 40_000 });
  const { body } = await server.api(await server.admin(), "GET", "/api/sync/pull?cursor=0");
  const numbers = body.snapshot.tickets.map((t: { number: string }) => t.number).sort();
  expect(numbers).toEqual([first, second, third].sort());
  const queue = counter.getByTestId("queue-list");
  await expect(queue).toContainText(first, { timeout: 20_000 });
  await expect(queue).toContainText(second, { timeout: 20_000 });
  await expect(queue).toContainText(third, { timeout: 20_000 });
  await counterCtx.close();
});

test("an outbox entry the kiosk cannot read is set aside and reported, never sent or dropped; the kiosk goes on", async ({ browser }) => {
  const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await openDevice(server, kiosk, "/kiosk", "rusak");
  const first = await issue(kiosk);
  // Two entries no version of this kiosk wrote: damaged text, and a value that is not text.
  await kiosk.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open("antrean-kiosk");
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise<void>((res, rej) => {
      const tx = db.transaction("outbox", "readwrite");
      tx.objectStore("outbox").put('{"mutation_id": 999999, "kind": "rus', 999999);
      tx.objectStore("outbox").put({ not: "text" }, 999998);
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
  });
  await kiosk.reload();
  await expect(kiosk.getByTestId("notices")).toContainText("2 catatan tindakan di perangkat ini tidak terbaca", { timeout: 15_000 });
  const stores = await kiosk.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open("antrean-kiosk");
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const count = (name: string, key?: number) =>
      new Promise<number>((res) => {
        const c = db.transaction(name, "readonly").objectStore(name).count(key);
        c.onsuccess = () => res(c.result);
      });
    const out = { aside: await count("set_aside"), damaged: (await count("outbox", 999999)) + (await count("outbox", 999998)) };
    db.close();
    return out;
  });
  expect(stores).toEqual({ aside: 2, damaged: 0 });
  // The kiosk goes on: the next ticket reaches the server with the first.
  const second = await issue(kiosk);
  const admin = await server.admin();
  await expect
    .poll(async () => {
      const pull = (await server.api(admin, "GET", "/api/sync/pull?cursor=0")).body;
      return [first, second].every((n) => pull.snapshot.tickets.some((t: any) => t.number === n));
    }, { timeout: 15_000 })
    .toBe(true);
});

test("a write the device's storage refuses is told on screen and logged, not swallowed; the kiosk goes on", async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // A browser whose storage refuses one setting (as a full disk or a quota would).
  await ctx.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value: unknown, key?: IDBValidKey) {
      if (key === "catalogue") throw new DOMException("quota exceeded (test)", "QuotaExceededError");
      return put.call(this, value, key);
    };
  });
  const kiosk = await ctx.newPage();
  const logged: string[] = [];
  kiosk.on("console", (m) => logged.push(m.text()));
  await openDevice(server, kiosk, "/kiosk", "penuh");
  await expect(kiosk.getByTestId("notices")).toContainText("Penyimpanan perangkat gagal (catalogue)", { timeout: 15_000 });
  expect(logged.some((l) => l.includes("storing catalogue failed"))).toBe(true);
  expect(await issue(kiosk)).toMatch(/^A\d?-\d{3}$/);
  await ctx.close();
});

test("the counter and the display each run on their own bundle and reload from their own offline shell", async ({ browser }) => {
  for (const [name, ready] of [["counter", "loket-1"], ["display", "loket-cell-1"]]) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const loads: string[] = [];
    page.on("request", (r) => loads.push(new URL(r.url()).pathname));
    await openDevice(server, page, `/${name}`);
    await expect(page.getByTestId(ready)).toBeVisible();
    // Its own code (named by content in a release build), none of the kiosk's.
    const own = new RegExp(`^/${name}/pkg/${name}\\.([\\w-]+\\.)?wasm$`);
    expect(loads.some((p) => own.test(p)), loads.join(" ")).toBe(true);
    expect(loads.filter((p) => p.startsWith("/pkg/") && !p.endsWith(".css"))).toEqual([]);
    // The worker precaches this page and this bundle.
    await page.waitForFunction(async ([path, pattern]) => {
      if (!navigator.serviceWorker.controller) return false;
      const key = (await caches.keys()).find((k) => k.startsWith("antrean-shell-"));
      if (!key) return false;
      const c = await caches.open(key);
      const urls = (await c.keys()).map((r) => new URL(r.url).pathname);
      return urls.includes(path) && urls.some((u) => new RegExp(pattern).test(u));
    }, [`/${name}`, own.source] as const, { timeout: 30_000 });
    // Offline, the page comes back from that shell and its code runs (the chip is set by it).
    await ctx.setOffline(true);
    await page.reload();
    await expect(page.getByTestId(ready)).toBeVisible();
    await expect(page.getByTestId("sync-chip")).toContainText("Luring", { timeout: 20_000 });
    await ctx.close();
  }
});

// The benchmarks of issue 8. Each figure is measured next to a floor measured in the same
// run on the same machine; nothing here asserts a time. The numbers go to BENCHMARKS.md.
// Run through `bash .ci/bench` (release server and release WASM).
import { test, expect, Browser, Page } from "@playwright/test";
import WebSocket, { WebSocketServer } from "ws";
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir, cpus, totalmem, release } from "node:os";
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { createECDH, randomBytes } from "node:crypto";
import { join } from "node:path";
import { Server, alwaysOpenCatalogue, openDevice } from "../tests/harness";
import { DeviceSim, call, counterSim, pairSim, push, stats } from "./sim";

test.describe.configure({ mode: "serial" });

interface Row {
  id: string;
  what: string;
  value: string;
  floor: string;
  ratio: string;
  target: string;
  met: boolean | null;
  note?: string;
}
const rows: Row[] = [];

/** Loopback stands in for the office's devices, each of which has its own address and
 * credential: 500 subscribers on one display token from 127.0.0.1 would otherwise meet the
 * per-token and per-address limits that are there for hostile clients (item 9). */
const LOOPBACK_CROWD = {
  ANTREAN_STREAMS_PER_TOKEN: "1000",
  ANTREAN_STREAMS_PER_ADDRESS: "4096",
  ANTREAN_MAX_CONNECTIONS_PER_ADDRESS: "4096",
};
const facts: string[] = [];
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The seed catalogue without the kiosk's anti-hoarding cooldown, for rapid issuing, and
 * open all day (the benchmarks run at any hour; a day closing mid-run would end them). */
function benchCatalogue(): string {
  return alwaysOpenCatalogue((seed) => seed.replace(/kiosk_cooldown_secs = \d+/, "kiosk_cooldown_secs = 0"));
}

/** Resident memory in MB, and its split: anonymous (what the process allocated) and
 * file-backed (pages of the executable and libraries, clean and shared with the page cache). */
function rssMb(pid: number | undefined): { total: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { total: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem") };
}
/** Waits (30 s at most) until the server has used under 3% of a core for a whole second:
 * a latency then measures the store at rest, not the compaction the bulk ingest just
 * before it left running (item 6h: on the year's store that work is larger, and a call
 * landing on it was the p99 of the round; run to run 1.13×–1.27×). Returns the wait. */
async function settle(pid: number | undefined): Promise<number> {
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime (clock ticks of 10 ms)
  };
  const t0 = Date.now();
  while (Date.now() - t0 < 30_000) {
    const before = ticks();
    await new Promise((r) => setTimeout(r, 1_000));
    if (ticks() - before <= 3) break;
  }
  return Date.now() - t0;
}
const mem = (r: { total: number; anon: number; file: number }) =>
  `${r.total.toFixed(1)} MB (${r.anon.toFixed(1)} anonymous + ${r.file.toFixed(1)} file-backed)`;

/** Resolves when `selector` matches (and, with `withText`, the element has text), checked on
 * every DOM mutation (no polling delay). */
const WAIT_FOR = `
  window.__waitFor = (sel, withText) => new Promise((res) => {
    const hit = () => {
      const e = document.querySelector(sel);
      return e && (!withText || e.textContent.trim() !== "") ? e : null;
    };
    const now = hit();
    if (now) return res(now);
    const mo = new MutationObserver(() => { const e = hit(); if (e) { mo.disconnect(); res(e); } });
    mo.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
  });
  // The state a kiosk is in when a citizen taps: the last screen painted (a frame, then the
  // task after it), 50 ms for the eye (no citizen taps a button within a frame of seeing
  // it), and the page idle. Item 1 starts every measured write from here, the app's and
  // the floors' alike: a write started on an idle page costs about twice one started
  // right after the previous (IndexedDB's backend has gone quiet too). Without the pause
  // the GPU process was still presenting the new screen while the tap ran and, on two
  // cores, delayed IndexedDB's backend thread by about 1 ms in a tap of six; the floor's
  // frames have nothing to draw, so only the tap paid for it.
  window.__idle = async () => {
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => requestIdleCallback(r, { timeout: 1000 }));
  };`;

test("1. kiosk tap → ticket shown and durable in IndexedDB, offline", async ({ browser }) => {
  test.setTimeout(600_000);
  const server = await Server.start({ ANTREAN_CATALOGUE: benchCatalogue() });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await openDevice(server, page, "/kiosk");
  await expect(page.getByTestId("sync-chip")).toHaveText(/Terhubung$/, { timeout: 30_000 });
  await page.waitForTimeout(2_000); // number leases
  await ctx.setOffline(true);
  await page.evaluate(WAIT_FOR);
  // BENCH_TAPS and BENCH_TRACE (a file for a Chrome trace of the taps) are for profiling.
  const N = Number(process.env.BENCH_TAPS ?? 500);
  const trace = process.env.BENCH_TRACE;
  if (trace) await browser.startTracing(page, { path: trace, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing", "IndexedDB", "toplevel"] });
  // The app shows the number only after the IndexedDB transaction holding the ticket
  // committed, so "shown" implies "durable". The ticket screen is in the page all along,
  // hidden and empty: shown means not hidden and the number written in.
  // The app marks "antrean:decided" (domain decision made) and "antrean:stored" (the
  // IndexedDB transaction committed): each tap splits into decide, store and render.
  const taps: { total: number; decide: number; store: number; render: number }[] = await page.evaluate(async (n) => {
    const w = (window as any).__waitFor;
    const at = (name: string) => performance.getEntriesByName(name, "mark").pop()?.startTime ?? NaN;
    const out = [];
    for (let i = 0; i < n; i++) {
      (await w('[data-testid="service-legalisir-ktp-el"]')).click();
      const take = await w('[data-testid="take-number"]:not([disabled])');
      // A citizen taps a button already on screen, on a kiosk that finished with the
      // previous citizen: neither painting the detail screen nor other work is counted.
      await (window as any).__idle();
      const t0 = performance.now();
      take.click();
      // Shown: the number is in the ticket screen and the screen is no longer hidden.
      await w('[data-testid="ticket"]:not([hidden]) [data-testid="ticket-number"]', true);
      const t1 = performance.now();
      const decided = at("antrean:decided");
      const stored = at("antrean:stored");
      out.push({ total: t1 - t0, decide: decided - t0, store: stored - decided, render: t1 - stored });
      (await w('[data-testid="done"]')).click();
    }
    return out;
  }, N);
  if (trace) await browser.stopTracing();
  const ours = taps.map((t) => t.total);
  // Timed puts from plain JavaScript, each in its own transaction, optionally each from an
  // idle page like a tap. The store is created when the database is new.
  const timedPuts = (o: { n: number; idle: boolean; db: string; store: string; pad: number; key0: number }) =>
    page.evaluate(async ({ n, idle, db: name, store, pad, key0 }) => {
      const db: IDBDatabase = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onupgradeneeded = () => r.result.createObjectStore(store);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const payload = JSON.stringify({ pad: "x".repeat(pad) });
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        if (idle) await (window as any).__idle();
        const t0 = performance.now();
        await new Promise((res, rej) => {
          const tx = db.transaction(store, "readwrite");
          tx.objectStore(store).put(payload, key0 + i);
          tx.oncomplete = res;
          tx.onerror = () => rej(tx.error);
        });
        out.push(performance.now() - t0);
      }
      db.close();
      return out;
    }, o);
  // The floor: one raw put in its own transaction, started from the same idle page as a
  // tap; and, for comparison with earlier reports, back to back in a loop.
  const rawPut = (idle: boolean) => timedPuts({ n: N, idle, db: "bench-floor", store: "s", pad: 600, key0: 0 });
  const floor: number[] = await rawPut(true);
  const hotFloor: number[] = await rawPut(false);
  // The kiosk's own transaction written from plain JavaScript: one mutation-sized put into
  // the outbox of the kiosk's database (a tap stores nothing else; the clock, number pool
  // and last number are recovered from the outbox on restart).
  const sameTx: number[] = await timedPuts({ n: N, idle: true, db: "antrean-kiosk", store: "outbox", pad: 400, key0: 1e9 });
  const a = stats(ours);
  const f = stats(floor);
  const hot = stats(hotFloor);
  const same = stats(sameTx);
  rows.push({
    id: "1",
    what: `Kiosk tap → ticket shown and stored, offline (${N} issues)`,
    value: `p50 ${ms(a.p50)} · p95 ${ms(a.p95)} (max ${ms(a.max)})`,
    floor: `raw IndexedDB put from an idle page, like a tap: p50 ${ms(f.p50)} · p95 ${ms(f.p95)} (back to back: p50 ${ms(hot.p50)} · p95 ${ms(hot.p95)}, ratio to that ${(a.p95 / hot.p95).toFixed(1)}×)`,
    ratio: `p95 ${(a.p95 / f.p95).toFixed(1)}×`,
    target: "p95 ≤ 50 ms and ≤ 3× floor",
    met: a.p95 <= 50 && a.p95 <= 3 * f.p95,
    note: (() => {
      const part = (k: "decide" | "store" | "render") => stats(taps.map((t) => t[k]));
      const [d, st, r] = [part("decide"), part("store"), part("render")];
      return `Where a tap's time goes (p50 · p95): click to decision ${ms(d.p50)} · ${ms(d.p95)}; ` +
        `IndexedDB transaction ${ms(st.p50)} · ${ms(st.p95)} (the same transaction from plain JavaScript, also from an idle page: ${ms(same.p50)} · ${ms(same.p95)}); ` +
        `ticket screen rendered ${ms(r.p50)} · ${ms(r.p95)}. ` +
        `First 50 taps p50 ${ms(stats(ours.slice(0, 50)).p50)}, last 50 p50 ${ms(stats(ours.slice(-50)).p50)}.`;
    })(),
  });
  await ctx.close();
  await server.stop();
});

/** Tickets from one kiosk, and a counter to call them. */
/** Records on the display page each change of loket 1's cell as `[text, time]` in
 * `window.__seen`. */
async function watchLoketCell(display: Page) {
  await display.evaluate(() => {
    const w = window as any;
    w.__seen = [];
    const cell = document.querySelector('[data-testid="loket-cell-1"]')!;
    new MutationObserver(() => w.__seen.push([cell.textContent, Date.now()])).observe(cell, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
}

async function setupQueue(server: Server, tickets: number) {
  const kiosk = new DeviceSim();
  await pairSim(server, kiosk, "kiosk");
  const ids: string[] = [];
  const tokens: string[] = [];
  const muts = [];
  for (let i = 1; i <= tickets; i++) {
    const t = kiosk.issue(i);
    ids.push(t.ticket);
    tokens.push(t.token);
    muts.push(t.m);
  }
  for (let i = 0; i < muts.length; i += 500) await push(server, kiosk, muts.slice(i, i + 500));
  await server.createStaff("petugas", "officer");
  const session = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "petugas", password: "kata-sandi-uji-1" }),
  });
  const cookie = (session.headers.get("set-cookie") ?? "").split(";")[0];
  const csrf = (await session.json()).csrf;
  const counter = new DeviceSim();
  await counterSim(server, counter, { cookie, csrf });
  return { kiosk, counter, ids, tokens };
}

/** Item 2's p99 of this run, for item 8's comparison. */
let item2p99: number | undefined;

test("2. counter call → 500 live subscribers and a display page show it; server memory", async ({ browser }) => {
  test.setTimeout(600_000);
  const server = await Server.start(LOOPBACK_CROWD);
  const CALLS = 20;
  const SUBS = 500;
  const { counter, ids } = await setupQueue(server, CALLS + 5);
  await new Promise((r) => setTimeout(r, 2_000));
  const idle = rssMb(server.pid);

  // A real display page in Chromium.
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const display = await ctx.newPage();
  await openDevice(server, display, "/display");
  await expect(display.getByTestId("loket-cell-1")).toBeVisible();
  await watchLoketCell(display);

  // 500 subscribers: each holds the live stream like a display: it takes the events a poke
  // carries when they follow its cursor, and pulls otherwise.
  const sub = new DeviceSim();
  await pairSim(server, sub, "display");
  const token = (sub.cred as { bearer: string }).bearer;
  const shown: Map<number, number[]> = new Map();
  let base = 0;
  let samplePoke = "";
  let carried = 0;
  let pulled = 0;
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: SUBS }, () => new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(server.url.replace("http", "ws") + "/api/sync/live", ["antrean", `bearer.${token}`]);
      let cursor = -1;
      ws.on("message", async (data) => {
        const text = data.toString();
        const poke = JSON.parse(text) as { cursor: number; after?: number; events?: unknown[] };
        const c = poke.cursor;
        if (cursor < 0) {
          cursor = c;
          base = Math.max(base, c);
          resolve();
          return;
        }
        if (c <= cursor) return;
        const from = cursor;
        cursor = c;
        if (poke.events?.length && (poke.after ?? 0) === from) {
          samplePoke = text;
          carried++;
        } else {
          const r = await fetch(`${server.url}/api/sync/pull?cursor=${from}`, { headers: { authorization: `Bearer ${token}` } });
          await r.json();
          pulled++;
        }
        const at = Date.now();
        for (let k = from + 1; k <= c; k++) {
          if (!shown.has(k)) shown.set(k, []);
          shown.get(k)!.push(at);
        }
      });
      ws.on("error", reject);
      sockets.push(ws);
    })),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  const withSubs = rssMb(server.pid);

  const sentAt: Map<number, number> = new Map();
  const displayLag: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = Date.now();
    const r = await push(server, counter, [counter.command(ids[i], { cmd: "call", loket: 1 })]);
    sentAt.set(r.cursor, t0);
    const number = `A${1}-${String(i + 1).padStart(3, "0")}`;
    // Wait until every subscriber and the display page have it, then the next call.
    const deadline = Date.now() + 10_000;
    while ((shown.get(r.cursor)?.length ?? 0) < SUBS && Date.now() < deadline) await new Promise((x) => setTimeout(x, 5));
    const seen = await display.waitForFunction(
      (n) => ((window as any).__seen as [string, number][]).find(([t]) => t.includes(n))?.[1],
      number.replace(/^A\d-/, ""),
      { timeout: 10_000 },
    );
    displayLag.push((await seen.jsonValue()) - t0);
  }
  const lags: number[] = [];
  for (const [cursor, t0] of sentAt) for (const at of shown.get(cursor) ?? []) lags.push(at - t0);
  const missing = CALLS * SUBS - lags.length;

  // Floor: a raw WebSocket broadcast of the same payload (a poke as the server sent it,
  // with a send time added) to as many clients on loopback.
  const wss = new WebSocketServer({ port: 0 });
  await new Promise<void>((r) => wss.on("listening", () => r()));
  const port = (wss.address() as { port: number }).port;
  const floorLags: number[] = [];
  const clients = await Promise.all(
    Array.from({ length: SUBS }, () => new Promise<WebSocket>((resolve) => {
      const c = new WebSocket(`ws://127.0.0.1:${port}`);
      c.on("message", (d) => floorLags.push(Date.now() - JSON.parse(d.toString()).t));
      c.on("open", () => resolve(c));
    })),
  );
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < CALLS; i++) {
    const payload = JSON.stringify({ ...JSON.parse(samplePoke || "{}"), cursor: i, t: Date.now() });
    for (const c of wss.clients) c.send(payload);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 500));
  clients.forEach((c) => c.close());
  wss.close();

  const a = stats(lags);
  item2p99 = a.p99;
  const f = stats(floorLags);
  const d = stats(displayLag);
  rows.push({
    id: "2",
    what: `Counter call → shown by ${SUBS} live subscribers, ${CALLS} calls (${carried} deliveries in the poke, ${pulled} by pull)`,
    value: `p50 ${ms(a.p50)} · p99 ${ms(a.p99)}${missing ? ` (${missing} deliveries missing)` : ""}`,
    floor: `raw WebSocket broadcast: p50 ${ms(f.p50)} · p99 ${ms(f.p99)}`,
    ratio: `p99 ${(a.p99 / Math.max(f.p99, 1)).toFixed(1)}×`,
    target: "p99 ≤ 100 ms",
    met: a.p99 <= 100 && missing === 0,
    note: `The real display page in Chromium (same calls, while the 500 subscribers ran): p50 ${ms(d.p50)}, max ${ms(d.max)}.`,
  });
  rows.push({
    id: "5b",
    what: "Server RSS (release): idle, and with 500 live subscribers",
    value: `idle ${mem(idle)} · with ${SUBS}: ${mem(withSubs)}`,
    floor: "—",
    ratio: "—",
    target: "≤ 64 MB idle · ≤ 128 MB with 500",
    met: idle.total <= 64 && withSubs.total <= 128,
  });
  sockets.forEach((s) => s.close());
  await ctx.close();
  await server.stop();
});

test("8. counter call → Web Push: the push service has it, 1,000 subscriptions; item 2 beside it", async () => {
  test.setTimeout(600_000);
  // A push service of our own on loopback: when each message arrived, per subscription.
  const arrived = new Map<string, number[]>();
  const service = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const at = Date.now();
      const p = req.url ?? "";
      if (!arrived.has(p)) arrived.set(p, []);
      arrived.get(p)!.push(at);
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => service.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  const server = await Server.start({ ...LOOPBACK_CROWD, ANTREAN_PUSH_SERVICES: origin });
  const CALLS = 50;
  const TICKETS = 250;
  const BROWSERS = 4; // per ticket: 1,000 subscriptions
  const SUBS = 500;
  const { counter, ids, tokens } = await setupQueue(server, TICKETS);
  const auth = randomBytes(16).toString("base64url");
  for (let i = 0; i < TICKETS; i += 25) {
    await Promise.all(
      tokens.slice(i, i + 25).flatMap((token, k) =>
        Array.from({ length: BROWSERS }, async (_, b) => {
          const key = createECDH("prime256v1");
          key.generateKeys();
          const r = await fetch(`${server.url}/api/t/${token}/push`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ endpoint: `${origin}/push/${i + k}-${b}`, keys: { p256dh: key.getPublicKey().toString("base64url"), auth } }),
          });
          if (r.status !== 200) throw new Error(`subscribe: ${r.status} ${await r.text()}`);
        }),
      ),
    );
  }
  const subs = await subscribers(server, SUBS);
  await new Promise((r) => setTimeout(r, 1_000));

  const pushLags: number[] = [];
  const liveLags: number[] = [];
  let missing = 0;
  for (let i = 0; i < CALLS; i++) {
    const t0 = Date.now();
    const r = await push(server, counter, [counter.command(ids[i], { cmd: "call", loket: 1 })]);
    const deadline = Date.now() + 10_000;
    while ((subs.heard.get(r.cursor)?.length ?? 0) < SUBS && Date.now() < deadline) await new Promise((x) => setTimeout(x, 5));
    for (const at of subs.heard.get(r.cursor) ?? []) liveLags.push(at - t0);
    // Each of the called ticket's browsers: its first message after the call.
    for (let b = 0; b < BROWSERS; b++) {
      let at: number | undefined;
      while ((at = arrived.get(`/push/${i}-${b}`)?.find((x) => x >= t0)) === undefined && Date.now() < deadline) {
        await new Promise((x) => setTimeout(x, 2));
      }
      if (at === undefined) missing++;
      else pushLags.push(at - t0);
    }
  }
  const p = stats(pushLags);
  const l = stats(liveLags);
  const messages = [...arrived.values()].reduce((n, a) => n + a.length, 0);
  const base = item2p99 ?? NaN;
  rows.push({
    id: "8",
    what: `Counter call → the called ticket's ${BROWSERS} browsers reached through Web Push (encrypted, posted to our push service on loopback), ${CALLS} calls, ${TICKETS * BROWSERS} subscriptions; ${messages} messages in all (calls and "almost your turn")`,
    value: `p50 ${ms(p.p50)} · p99 ${ms(p.p99)}${missing ? ` (${missing} missing)` : ""}`,
    floor: `item 2 of this run (WebSocket, ${SUBS} subscribers): p99 ${ms(base)}`,
    ratio: `live subscribers meanwhile: p99 ${ms(l.p99)} = ${(l.p99 / Math.max(base, 1)).toFixed(2)}× item 2`,
    target: "push p99 ≤ 1 s; item 2's p99 ≤ 1.2× with pushes",
    met: p.p99 <= 1000 && missing === 0 && l.p99 <= 1.2 * base,
  });
  subs.close();
  await server.stop();
  service.close();
});

test("3. reconnect: 2,000 pending mutations from 4 kiosks → applied and shown on a counter", async ({ browser }) => {
  test.setTimeout(600_000);
  const server = await Server.start();
  const kiosks = [new DeviceSim(), new DeviceSim(), new DeviceSim(), new DeviceSim()];
  for (const k of kiosks) await pairSim(server, k, "kiosk");
  const pending = kiosks.map((k) => Array.from({ length: 500 }, (_, i) => k.issue(i + 1).m));
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const counter = await ctx.newPage();
  await openDevice(server, counter, "/counter");
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("sync-chip")).toHaveText(/Terhubung$/);
  await counter.evaluate(WAIT_FOR);
  const t0 = Date.now();
  // As the app does: each kiosk sends its outbox in order, batches of 200.
  const pushed = Promise.all(
    kiosks.map(async (k, i) => {
      for (let j = 0; j < 500; j += 200) await push(server, k, pending[i].slice(j, j + 200));
      return Date.now();
    }),
  );
  const shownAt = counter.evaluate(
    () =>
      new Promise<number>((res) => {
        const check = () => document.querySelectorAll('[data-testid="queue-row"]').length >= 2000;
        if (check()) return res(Date.now());
        const mo = new MutationObserver(() => {
          if (check()) {
            mo.disconnect();
            res(Date.now());
          }
        });
        mo.observe(document.body, { childList: true, subtree: true });
      }),
  );
  const appliedAt = Math.max(...(await pushed));
  const shown = await shownAt;
  rows.push({
    id: "3",
    what: "Reconnect: 2,000 pending mutations from 4 kiosks → applied, and on a counter's screen",
    value: `applied ${ms(appliedAt - t0)} · shown ${ms(shown - t0)}`,
    floor: "—",
    ratio: "—",
    target: "≤ 2 s",
    met: shown - t0 <= 2_000,
  });
  await ctx.close();
  await server.stop();
});

/** One round of item 4 on a fresh server: 4,000 issues from 8 kiosks, then 6,000 officer
 * actions from a counter, pushed in batches of 500. Returns mutations/s. */
async function ingestRound(): Promise<{ rate: number; applied: number; actions: number }> {
  const server = await Server.start();
  const kiosks = Array.from({ length: 8 }, () => new DeviceSim());
  for (const k of kiosks) await pairSim(server, k, "kiosk");
  const issued = kiosks.map((k) => Array.from({ length: 500 }, (_, i) => k.issue(i + 1)));
  const { counter } = await setupQueue(server, 0);
  const actions: object[] = [];
  const tickets = issued.flat().map((t) => t.ticket);
  for (let i = 0; actions.length < 6_000; i++) {
    const t = tickets[i % 200];
    for (const cmd of [{ cmd: "call", loket: 1 }, { cmd: "recall" }, { cmd: "no_show" }, { cmd: "reinstate" }]) {
      actions.push(counter.command(t, cmd));
    }
  }
  const t0 = performance.now();
  let applied = 0;
  for (let i = 0; i < kiosks.length; i++) {
    const r = await push(server, kiosks[i], issued[i].map((t) => t.m));
    applied += r.outcomes.filter((o: any) => o.outcome === "applied").length;
  }
  for (let j = 0; j < actions.length; j += 500) {
    const r = await push(server, counter, actions.slice(j, j + 500));
    applied += r.outcomes.filter((o: any) => o.outcome === "applied").length;
  }
  const seconds = (performance.now() - t0) / 1000;
  await server.stop();
  return { rate: (4_000 + actions.length) / seconds, applied, actions: actions.length };
}

test("4. push ingest on embedded SurrealDB vs a raw batched insert", async () => {
  test.setTimeout(600_000);
  const floorBin = process.env.ANTREAN_INGEST_FLOOR;
  // Rounds alternate server and floor so that both see the same machine noise.
  const ROUNDS = 5;
  const ours: number[] = [];
  const floors: number[] = [];
  let applied = 0;
  let total = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const r = await ingestRound();
    ours.push(r.rate);
    applied += r.applied;
    total = 4_000 + r.actions;
    if (floorBin) {
      const out = JSON.parse(execFileSync(floorBin, ["4000", String(r.actions), "500"], { encoding: "utf8" }).trim().split("\n").pop()!);
      floors.push(out.records / out.seconds);
    }
  }
  const a = stats(ours);
  const f = floors.length ? stats(floors) : undefined;
  const rate = a.p50;
  const floorRate = f?.p50 ?? NaN;
  const range = (x: { min: number; max: number }) => `${Math.round(x.min)}–${Math.round(x.max)}`;
  rows.push({
    id: "4",
    what: `Push ingest, ${total} mutations (4,000 issues, then officer actions) in batches of 500, embedded SurrealDB on disk, ${ROUNDS} rounds`,
    value: `median ${Math.round(rate)} mutations/s (range ${range(a)}; ${applied} of ${ROUNDS * total} applied)`,
    floor: f
      ? `raw bulk INSERT of the same rows (events, tokens, audit rows): median ${Math.round(floorRate)}/s (range ${range(f)})`
      : "not run (ANTREAN_INGEST_FLOOR unset)",
    ratio: Number.isFinite(floorRate) ? `${(rate / floorRate).toFixed(2)}×` : "—",
    target: "≥ 5,000 mutations/s and ≥ 0.5× floor",
    met: rate >= 5_000 && rate >= 0.5 * floorRate && applied === ROUNDS * total,
  });
});

/**
 * Counts the bytes a browser receives from the server: a TCP proxy in front of it, so
 * everything is counted as it travels (headers, compression, the service worker's own
 * fetches), not as files lie on disk.
 */
async function byteCounter(target: Server) {
  const net = await import("node:net");
  const port = Number(new URL(target.url).port);
  let received = 0;
  const sockets = new Set<import("node:net").Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect({ host: "127.0.0.1", port });
    sockets.add(client);
    sockets.add(upstream);
    upstream.on("data", (d) => {
      received += d.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  const addr = proxy.address() as import("node:net").AddressInfo;
  return {
    url: `http://localhost:${addr.port}`,
    take() {
      const n = received;
      received = 0;
      return n;
    },
    async close() {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => proxy.close(r));
    },
  };
}

test("5a. what each page downloads from the real server, cold cache", async ({ browser }) => {
  test.setTimeout(600_000);
  // The five bundles: the main one (the kiosk and the home page), the citizens', the admin
  // page's, the counter's and the display's.
  const onDisk = ["pkg", "citizen/pkg", "admin/pkg", "counter/pkg", "display/pkg"].flatMap((dir) => {
    const pkg = join(process.env.ANTREAN_SITE_ROOT!, dir);
    return readdirSync(pkg)
      .filter((f) => /\.(wasm|js|css)$/.test(f))
      .map((f) => `${dir}/${f}: ${(readFileSync(join(pkg, f)).length / 1024).toFixed(0)} KB`);
  });
  const server = await Server.start();
  const kiosk = new DeviceSim();
  await pairSim(server, kiosk, "kiosk");
  const t = kiosk.issue(1);
  await push(server, kiosk, [t.m]);
  const counter = await byteCounter(server);
  const pages: [string, string][] = [
    ["citizen", `/t/${(t.m as any).token}`],
    ["public", "/layanan"],
    ["kiosk", "/kiosk"],
    ["counter", "/counter"],
    ["display", "/display"],
    ["admin", "/admin"],
  ];
  const got: { name: string; bytes: number; sw: boolean }[] = [];
  for (const [name, path] of pages) {
    // A fresh context is a cold cache and no service worker.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    counter.take();
    await page.goto(counter.url + path, { waitUntil: "networkidle" });
    // The service worker's install (device pages) fetches the offline shell.
    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker?.getRegistration();
      if (!reg) return false;
      await navigator.serviceWorker.ready;
      return true;
    });
    await page.waitForTimeout(1_500);
    got.push({ name, bytes: counter.take(), sw });
    await ctx.close();
  }
  await counter.close();
  await server.stop();
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const worst = Math.max(...got.map((g) => g.bytes));
  rows.push({
    id: "5a",
    what: "Bytes a browser receives per page from the release server (cold cache, counted on the wire: headers, compression, the offline shell's install)",
    value: got.map((g) => `${g.name} ${kb(g.bytes)}${g.sw ? " (with offline shell)" : ""}`).join(" · "),
    floor: "—",
    ratio: "—",
    target: "≤ 400 KB per page",
    met: worst <= 400 * 1024,
    note: `Files on disk: ${onDisk.join("; ")}. Each page downloads the one bundle that hydrates it, sent brotli-compressed by the build (\`--precompress\`) under content-hashed names kept for a year; a device page's offline shell adds its page's fresh copy, the icons and the fonts (subset to the features the style uses).`,
  });
});

test("10. the citizen's phone on a slow network: status, then live", async ({ browser }) => {
  test.setTimeout(600_000);
  const server = await Server.start();
  const { counter, ids, kiosk } = await setupQueue(server, 3);
  const t = kiosk.issue(50);
  await push(server, kiosk, [t.m]);
  const token = (t.m as any).token as string;
  const wire = await byteCounter(server);
  const RUNS = 5;
  const shown: number[] = [];
  const live: number[] = [];
  const bytes: number[] = [];
  let officeBundle = 0;
  let updated = 0;
  for (let run = 0; run < RUNS; run++) {
    // Cold: a fresh context has an empty cache.
    const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 400,
      downloadThroughput: 400_000 / 8,
      uploadThroughput: 400_000 / 8,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    let liveAt = 0;
    cdp.on("Network.webSocketHandshakeResponseReceived", () => {
      if (!liveAt) liveAt = Date.now();
    });
    page.on("request", (r) => {
      if (/^\/pkg\/antrean\..*\.(wasm|js)$/.test(new URL(r.url()).pathname)) officeBundle++;
    });
    wire.take();
    const t0 = Date.now();
    await page.goto(`${wire.url}/t/${token}`, { waitUntil: "commit" });
    await expect(page.getByTestId("headline")).toBeVisible({ timeout: 30_000 });
    shown.push(Date.now() - t0);
    // Live: the stream is open (its handshake) and the page has taken it over (its mark);
    // the head opens the stream while the bundle downloads, the bundle takes it over.
    const deadline = Date.now() + 60_000;
    let adoptedAt = 0;
    while ((!liveAt || !adoptedAt) && Date.now() < deadline) {
      adoptedAt = await page.evaluate(() => {
        const m = performance.getEntriesByName("antrean-live")[0];
        return m ? performance.timeOrigin + m.startTime : 0;
      });
      if (!liveAt || !adoptedAt) await page.waitForTimeout(50);
    }
    live.push((liveAt && adoptedAt ? Math.max(liveAt, adoptedAt) : Date.now()) - t0);
    // Live means updated without a reload: the ticket is called at the counter.
    if (run === RUNS - 1) {
      const before = await page.getByTestId("headline").textContent();
      const next = ids[run % ids.length];
      await push(server, counter, [counter.command(next, { cmd: "call", loket: 1 })]);
      await expect(page.getByTestId("headline")).not.toHaveText(before ?? "", { timeout: 20_000 }).then(() => updated++, () => {});
    }
    await page.waitForTimeout(500);
    bytes.push(wire.take());
    await ctx.close();
  }
  await wire.close();
  await server.stop();
  const s = stats(shown);
  const l = stats(live);
  const b = stats(bytes);
  rows.push({
    id: "10",
    what: `The citizen page on a phone: 360×640, 400 kbit/s, 400 ms RTT, 4× CPU slowdown, cold cache (${RUNS} loads, median)`,
    value: `status shown ${ms(s.p50)} (max ${ms(s.max)}) · live ${ms(l.p50)} (max ${ms(l.max)}) · ${(b.p50 / 1024).toFixed(0)} KB received`,
    floor: "—",
    ratio: "—",
    target: "status ≤ 2 s · live ≤ 5 s · none of the office's bundle",
    met: s.p50 <= 2_000 && l.p50 <= 5_000 && officeBundle === 0 && updated === 1,
    note: `Live = the page's WebSocket is open (Chromium's handshake event) and the page's code has taken it over (its performance mark), whichever is later; checked by calling the ticket ahead at the counter: ${updated === 1 ? "the page updated without a reload" : "the page did NOT update"}. Requests for the office's bundle: ${officeBundle}. Bytes counted on the wire by a proxy in front of the server.`,
  });
});

test("5. footprint: the display's JS heap after 10,000 calls", async ({ browser }) => {
  test.setTimeout(900_000);
  const server = await Server.start();
  const { counter, ids } = await setupQueue(server, 100);
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const display = await ctx.newPage();
  await openDevice(server, display, "/display");
  await expect(display.getByTestId("loket-cell-1")).toBeVisible();
  const cdp = await ctx.newCDPSession(display);
  const heap = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const m = await cdp.send("Performance.getMetrics");
    return m.metrics.find((x: { name: string }) => x.name === "JSHeapUsedSize")!.value / 1024 / 1024;
  };
  await cdp.send("Performance.enable");
  await display.waitForTimeout(2_000);
  const before = await heap();
  // 10,000 calls: call, recall, recall, no-show, reinstate over 100 tickets.
  let calls = 0;
  let batch: object[] = [];
  for (let i = 0; calls < 10_000; i++) {
    const t = ids[i % ids.length];
    for (const cmd of [{ cmd: "call", loket: 1 }, { cmd: "recall" }, { cmd: "recall" }, { cmd: "no_show" }, { cmd: "reinstate" }]) {
      batch.push(counter.command(t, cmd));
      if (cmd.cmd === "call" || cmd.cmd === "recall") calls++;
    }
    if (batch.length >= 500) {
      await push(server, counter, batch);
      batch = [];
    }
  }
  if (batch.length) await push(server, counter, batch);
  const last = (await call(server, "GET", "/api/sync/pull?cursor=0", { session: await server.admin() })).cursor;
  // Until the display's confirmed replica in IndexedDB has caught up with the log.
  await display.waitForFunction(
    async (cursor) => {
      const db: IDBDatabase = await new Promise((res) => {
        const r = indexedDB.open("antrean-display");
        r.onsuccess = () => res(r.result);
      });
      const v: string | undefined = await new Promise((res) => {
        const g = db.transaction("replica").objectStore("replica").get("confirmed");
        g.onsuccess = () => res(g.result);
        g.onerror = () => res(undefined);
      });
      db.close();
      return !!v && JSON.parse(v).cursor >= cursor;
    },
    last,
    { timeout: 300_000, polling: 500 },
  );
  await display.waitForTimeout(5_000);
  const after = await heap();
  rows.push({
    id: "5c",
    what: `Display page JS heap after ${calls} calls (after GC)`,
    value: `${before.toFixed(1)} MB → ${after.toFixed(1)} MB (growth ${(after - before).toFixed(1)} MB)`,
    floor: "—",
    ratio: "—",
    target: "growth ≤ 5 MB",
    met: after - before <= 5,
  });
  await ctx.close();
  await server.stop();
});

/** What item 6 measures on one server: start-up, idle memory, a snapshot pull, a pull from
 * far back in the log, push ingest, single-call pushes, and pushes during a retention run. */
async function historyFigures(dataDir: string | undefined, oldCursorBack: number) {
  const env: Record<string, string> = { ...LOOPBACK_CROWD, ANTREAN_CATALOGUE: benchCatalogue() };
  if (dataDir) env.ANTREAN_DATA_DIR = dataDir;
  const t0 = performance.now();
  const server = await Server.start(env);
  const listening = performance.now() - t0;
  while (!(await fetch(`${server.url}/api/health`)).ok) await new Promise((r) => setTimeout(r, 5));
  const healthy = performance.now() - t0;
  const admin = { session: await server.admin() };
  // Idle: the start-up close and retention checks have run.
  await new Promise((r) => setTimeout(r, 3_000));
  const rss = rssMb(server.pid);

  // Push ingest as item 4 (4 kiosks × 500 issues, then 6,000 officer actions).
  const kiosks = Array.from({ length: 4 }, () => new DeviceSim());
  for (const k of kiosks) await pairSim(server, k, "kiosk");
  const issued = kiosks.map((k) => Array.from({ length: 500 }, (_, i) => k.issue(i + 1)));
  const { counter } = await setupQueue(server, 0);
  const tickets = issued.flat().map((t) => t.ticket);
  const actions: object[] = [];
  for (let i = 0; actions.length < 6_000; i++) {
    for (const cmd of [{ cmd: "call", loket: 1 }, { cmd: "recall" }, { cmd: "no_show" }, { cmd: "reinstate" }]) {
      actions.push(counter.command(tickets[i % 200], cmd));
    }
  }
  const i0 = performance.now();
  for (let i = 0; i < kiosks.length; i++) await push(server, kiosks[i], issued[i].map((t) => t.m));
  for (let j = 0; j < actions.length; j += 500) await push(server, counter, actions.slice(j, j + 500));
  const ingest = (2_000 + actions.length) / ((performance.now() - i0) / 1000);

  // One call a push, as a counter sends it.
  const callMs: number[] = [];
  for (let i = 200; i < 260; i++) {
    const c0 = performance.now();
    await push(server, counter, [counter.command(tickets[i], { cmd: "call", loket: 2 })]);
    callMs.push(performance.now() - c0);
    await push(server, counter, [counter.command(tickets[i], { cmd: "no_show" })]);
  }

  // A call heard by 500 live subscribers (item 2's method, without the page). 200 calls:
  // each call's 500 arrivals come together, so the p99 of 20 calls was the slowest call's,
  // and flipped between runs with whatever else the two cores did at that moment.
  const subs = await subscribers(server, 500);
  const settled = await settle(server.pid);
  const heard = (await callRound(server, counter, tickets.slice(260, 460), subs, undefined, 500)).lags;
  subs.close();

  // A new device's snapshot, and a pull from far back (read from the store, not the tail).
  const snapMs: number[] = [];
  let snapBytes = 0;
  for (let i = 0; i < 20; i++) {
    const s0 = performance.now();
    const r = await fetch(`${server.url}/api/sync/pull?cursor=0`, { headers: { cookie: admin.session.cookie } });
    snapBytes = (await r.text()).length;
    snapMs.push(performance.now() - s0);
  }
  const newest = (await call(server, "GET", "/api/sync/pull?cursor=0", admin)).cursor as number;
  const oldCursor = Math.max(1, newest - oldCursorBack);
  const oldMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const o0 = performance.now();
    await call(server, "GET", `/api/sync/pull?cursor=${oldCursor + i}`, admin);
    oldMs.push(performance.now() - o0);
  }

  // A supervisor's report of last calendar month (WITA): read from the facts each close
  // stored, whatever the age of the store.
  const wita = new Date(Date.now() + 8 * 3_600_000);
  const first = new Date(Date.UTC(wita.getUTCFullYear(), wita.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(wita.getUTCFullYear(), wita.getUTCMonth(), 0));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const reportMs: number[] = [];
  let reportIssued = 0;
  for (let i = 0; i < 5; i++) {
    const r0 = performance.now();
    const r = await call(server, "GET", `/api/reports?from=${iso(first)}&to=${iso(last)}`, admin);
    reportMs.push(performance.now() - r0);
    reportIssued = r.totals.counts.issued;
  }

  // A retention run, with a counter pushing all along: its slowest push is the longest
  // any push waited for retention.
  let running = true;
  const during: number[] = [];
  const pusher = (async () => {
    for (let i = 500; running && i < 2_000; i++) {
      const p0 = performance.now();
      await push(server, counter, [counter.command(tickets[i], { cmd: "call", loket: 2 })]);
      await push(server, counter, [counter.command(tickets[i], { cmd: "no_show" })]);
      during.push(performance.now() - p0);
    }
  })();
  const r0 = performance.now();
  await call(server, "POST", "/api/admin/retention", admin, {});
  const retention = performance.now() - r0;
  running = false;
  await pusher;
  await server.stop();
  return {
    listening,
    healthy,
    rss,
    ingest,
    call: stats(callMs),
    heard: stats(heard),
    settled,
    snap: stats(snapMs),
    snapBytes,
    old: stats(oldMs),
    oldCursor,
    newest,
    retention,
    during: stats(during.length ? during : [0]),
    report: stats(reportMs),
    reportIssued,
  };
}

test("6. a year of history: 250 working days × 2,000 tickets against a fresh database", async () => {
  test.setTimeout(3_600_000);
  const fill = process.env.ANTREAN_HISTORY_FILL;
  if (!fill) throw new Error("ANTREAN_HISTORY_FILL must point at the history_fill binary");
  const days = Number(process.env.BENCH_HISTORY_DAYS ?? 250);
  const perDay = Number(process.env.BENCH_HISTORY_TICKETS ?? 2_000);
  const dir = mkdtempSync(join(tmpdir(), "antrean-year-"));
  const filled = JSON.parse(execFileSync(fill, [dir, String(days), String(perDay), benchCatalogue()], { encoding: "utf8", maxBuffer: 1 << 20 }).trim().split("\n").pop()!);
  // A month back: 22 working days of the history's events.
  const monthBack = Math.round((filled.events / filled.days) * 22);
  const fresh = await historyFigures(undefined, monthBack);
  const year = await historyFigures(dir, monthBack);
  const du = execFileSync("du", ["-sm", dir], { encoding: "utf8" }).split("\t")[0];
  rmSync(dir, { recursive: true, force: true });
  facts.push(`Item 6 history: ${filled.days} working days, ${filled.tickets} tickets, ${filled.events} events, written in ${filled.seconds.toFixed(0)} s; ${du} MB on disk`);
  const within = (y: number, f: number, k = 1.25) => y <= k * f;
  const rowsOf: [string, string, string, string, number, string, boolean][] = [
    ["6a", "Start-up until listening (pushes accepted)", ms(year.listening), ms(fresh.listening), year.listening / fresh.listening, "≤ 3 s", year.listening <= 3_000],
    ["6b", "RSS idle after start-up", mem(year.rss), mem(fresh.rss), year.rss.total / fresh.rss.total, "≤ 64 MB", year.rss.total <= 64],
    ["6c", "Push ingest, 2,000 issues then 6,000 officer actions, batches of 500", `${Math.round(year.ingest)} mutations/s`, `${Math.round(fresh.ingest)} mutations/s`, fresh.ingest / year.ingest, "≤ 1.25× (time per mutation)", within(fresh.ingest, year.ingest * 1.25, 1)],
    ["6d", "Push of one call, p50 / p95 of 60", `${ms(year.call.p50)} / ${ms(year.call.p95)}`, `${ms(fresh.call.p50)} / ${ms(fresh.call.p95)}`, year.call.p50 / fresh.call.p50, "≤ 1.25×", within(year.call.p50, fresh.call.p50)],
    ["6h", `Call → 500 live subscribers (item 2's method), 200 calls once the server is at rest (waited ${(year.settled / 1000).toFixed(0)} s; fresh ${(fresh.settled / 1000).toFixed(0)} s), p50 / p99`, `${ms(year.heard.p50)} / ${ms(year.heard.p99)}`, `${ms(fresh.heard.p50)} / ${ms(fresh.heard.p99)}`, year.heard.p99 / fresh.heard.p99, "≤ 1.25×", within(year.heard.p99, fresh.heard.p99)],
    ["6e", "Snapshot pull (cursor 0), p50 of 20, bytes", `${ms(year.snap.p50)}, ${year.snapBytes} B`, `${ms(fresh.snap.p50)}, ${fresh.snapBytes} B`, year.snap.p50 / fresh.snap.p50, "≤ 1.25×", within(year.snap.p50, fresh.snap.p50)],
    ["6f", `Pull from a cursor a month old (${monthBack} events back; fresh: from its oldest), p50 of 20`, ms(year.old.p50), ms(fresh.old.p50), year.old.p50 / fresh.old.p50, "≤ 1.25×", within(year.old.p50, fresh.old.p50)],
    ["6i", "A month's report (last calendar month), p50 of 5", `${ms(year.report.p50)} (${year.reportIssued} tickets)`, `${ms(fresh.report.p50)} (${fresh.reportIssued} tickets)`, year.report.p50 / Math.max(fresh.report.p50, 1), "≤ 1 s", year.report.p50 <= 1_000],
    ["6g", "Retention run; slowest push (call + no-show) during it", `${ms(year.retention)}; ${ms(year.during.max)}`, `${ms(fresh.retention)}; ${ms(fresh.during.max)}`, year.during.max / fresh.during.max, "no push held > 100 ms", year.during.max <= 100],
  ];
  for (const [id, what, value, floor, ratio, target, met] of rowsOf) {
    rows.push({ id, what, value, floor: `fresh database: ${floor}`, ratio: `${ratio.toFixed(2)}×`, target, met });
  }
});

/** `n` live subscribers on one display's token (item 2's kind): when each heard which
 * cursor. */
async function subscribers(server: Server, n: number): Promise<{ heard: Map<number, number[]>; close: () => void }> {
  const sub = new DeviceSim();
  await pairSim(server, sub, "display");
  const token = (sub.cred as { bearer: string }).bearer;
  const heard = new Map<number, number[]>();
  const sockets: WebSocket[] = await Promise.all(
    Array.from({ length: n }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(server.url.replace("http", "ws") + "/api/sync/live", ["antrean", `bearer.${token}`]);
      let first = true;
      ws.on("message", (d) => {
        const c = JSON.parse(d.toString()).cursor as number;
        if (first) {
          first = false;
          resolve(ws);
          return;
        }
        if (!heard.has(c)) heard.set(c, []);
        heard.get(c)!.push(Date.now());
      });
      ws.on("error", reject);
    })),
  );
  return { heard, close: () => sockets.forEach((w) => w.close()) };
}

/** Calls `count` tickets from `ids` one after the other and returns, per call, how long each
 * of `streams` live subscribers (item 2's kind) took to hear it, and the display page. */
async function callRound(
  server: Server,
  counter: DeviceSim,
  ids: string[],
  streams: { heard: Map<number, number[]> },
  display: Page | undefined,
  subs: number,
): Promise<{ lags: number[]; page: number[] }> {
  const lags: number[] = [];
  const page: number[] = [];
  for (const id of ids) {
    const t0 = Date.now();
    const r = await push(server, counter, [counter.command(id, { cmd: "call", loket: 1 })]);
    const deadline = Date.now() + 10_000;
    while ((streams.heard.get(r.cursor)?.length ?? 0) < subs && Date.now() < deadline) await new Promise((x) => setTimeout(x, 5));
    for (const at of streams.heard.get(r.cursor) ?? []) lags.push(at - t0);
    if (!display) continue;
    const seen = await display.waitForFunction(
      (c) => ((window as any).__seen as [string, number][]).find(([, at]) => at >= c)?.[1],
      t0,
      { timeout: 10_000 },
    );
    page.push((await seen.jsonValue()) - t0);
  }
  return { lags, page };
}

test("9. hostile clients: 10,000 idle connections and 5,000 idle live streams while a display is called", async ({ browser }) => {
  test.setTimeout(900_000);
  const net = await import("node:net");
  // The office's devices on 127.0.0.1; the attacker on 127.0.0.2 … 127.0.0.31.
  const server = await Server.start({ ANTREAN_STREAMS_PER_TOKEN: "128" });
  const SUBS = 100;
  const CALLS = 20;
  const { counter, ids, kiosk } = await setupQueue(server, 2 * CALLS + 45);
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const display = await ctx.newPage();
  await openDevice(server, display, "/display");
  await expect(display.getByTestId("loket-cell-1")).toBeVisible();
  await watchLoketCell(display);
  const streams = await subscribers(server, SUBS);
  const quiet = await callRound(server, counter, ids.slice(0, CALLS), streams, display, SUBS);
  const quietRss = rssMb(server.pid);

  // The attack. Idle sockets that send nothing, reopened whenever the server closes one.
  const port = Number(new URL(server.url).port);
  let idleOpen = 0;
  let stop = false;
  const idleSockets = new Set<import("node:net").Socket>();
  const idle = (from: string) => {
    const s = net.connect({ host: "127.0.0.1", port, localAddress: from });
    idleSockets.add(s);
    let connected = false;
    s.on("connect", () => {
      connected = true;
      idleOpen++;
    });
    s.on("error", () => {});
    s.on("close", () => {
      idleSockets.delete(s);
      if (connected) idleOpen--;
      if (!stop) setTimeout(() => idle(from), 100);
      else s.destroy();
    });
  };
  for (let a = 0; a < 20; a++) for (let i = 0; i < 500; i++) idle(`127.0.0.${2 + a}`);
  // Idle live streams on citizens' links: 40 tickets × 125 streams from 10 addresses.
  const citizens: string[] = [];
  const muts = [];
  for (let i = 0; i < 40; i++) {
    const t = kiosk.issue(900 + i);
    citizens.push((t.m as any).token);
    muts.push(t.m);
  }
  await push(server, kiosk, muts);
  let streamsOpen = 0;
  let streamsRefused = 0;
  const hostile: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: 5_000 }, (_, i) => new Promise<void>((resolve) => {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/t/${citizens[i % 40]}/live`, {
        localAddress: `127.0.0.${22 + (i % 10)}`,
      });
      ws.on("open", () => {
        streamsOpen++;
        resolve();
      });
      ws.on("error", () => {
        streamsRefused++;
        resolve();
      });
      hostile.push(ws);
    })),
  );
  // RSS every 200 ms from here to the end of the attack's calls: the figure is the peak
  // (one sample after the calls varied from 128 to 217 MB between runs; the trim tick and
  // the churn of reopened sockets move it within seconds).
  const rssSamples: ReturnType<typeof rssMb>[] = [];
  const sampler = setInterval(() => rssSamples.push(rssMb(server.pid)), 200);
  await new Promise((r) => setTimeout(r, 3_000));
  const idleHeld = idleOpen;
  const attack = await callRound(server, counter, ids.slice(CALLS, 2 * CALLS), streams, display, SUBS);
  clearInterval(sampler);
  rssSamples.push(rssMb(server.pid));
  const attackRss = rssSamples.reduce((a, b) => (b.total > a.total ? b : a));
  const rssSorted = rssSamples.map((r) => r.total).sort((a, b) => a - b);
  const health = (await fetch(`${server.url}/api/health`)).status;
  stop = true;
  idleSockets.forEach((s) => s.destroy());
  hostile.forEach((w) => w.terminate());
  await new Promise((r) => setTimeout(r, 500));
  streams.close();
  const emfile = server.log.includes("Too many open files");

  const q = stats(quiet.lags);
  const a = stats(attack.lags);
  const qp = stats(quiet.page);
  const ap = stats(attack.page);
  rows.push({
    id: "9",
    what: `Call → ${SUBS} subscribers and a display page while 10,000 idle connections (20 addresses) and 5,000 idle live streams (10 addresses, 40 citizen links) are held open`,
    value: `p99 ${ms(a.p99)} (page p50 ${ms(ap.p50)}) · RSS peak ${mem(attackRss)} · ${idleHeld} idle sockets and ${streamsOpen} streams held${emfile ? " · EMFILE logged" : ""}`,
    floor: `quiet, same server before the attack: p99 ${ms(q.p99)} (page p50 ${ms(qp.p50)}) · RSS ${mem(quietRss)}`,
    ratio: `p99 ${(a.p99 / Math.max(q.p99, 1)).toFixed(2)}×`,
    target: "p99 ≤ 1.5× quiet · RSS ≤ 192 MB · no \"too many open files\"",
    met: a.p99 <= 1.5 * Math.max(q.p99, 1) && attackRss.total <= 192 && !emfile && health === 200,
    note: `RSS sampled ${rssSamples.length} times during the attack: min ${rssSorted[0].toFixed(1)} MB, median ${rssSorted[rssSorted.length >> 1].toFixed(1)} MB, peak ${rssSorted[rssSorted.length - 1].toFixed(1)} MB. Streams refused over the limits: ${streamsRefused}. /api/health during the attack: ${health}. The server closes idle sockets after the header timeout (10 s); the attacker reopens them at once, so the figure is a churn of accepts as well as a standing load.`,
  });

  // 9b. A shift change: 32 officers sign in at once, round after round (each round from
  // 32 new addresses, as the per-address limit would otherwise answer instead of the
  // hash), while a counter keeps pulling. Each sign-in costs an argon2 hash. The officers
  // are another process, as they are other tablets: in this one, their answers would hold
  // up the counter's on the test's own event loop.
  const SHIFT = `
    const http = require("node:http");
    const url = process.argv[1];
    const statuses = {};
    const times = [];
    let stop = false;
    process.stdin.on("data", () => { stop = true; });
    const signIn = (from) => new Promise((resolve) => {
      const body = JSON.stringify({ username: "petugas", password: "kata-sandi-uji-1" });
      const t0 = performance.now();
      const req = http.request(url + "/api/auth/login", {
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      }, (res) => {
        res.resume();
        res.on("end", () => { times.push(performance.now() - t0); resolve(res.statusCode); });
      });
      req.on("error", () => resolve(0));
      req.end(body);
    });
    (async () => {
      for (let round = 1; !stop && round < 200; round++) {
        const got = await Promise.all(Array.from({ length: 32 }, (_, i) => signIn("127.0." + round + "." + (10 + i))));
        for (const st of got) statuses[st] = (statuses[st] ?? 0) + 1;
      }
      process.stdout.write(JSON.stringify({ statuses, times }));
      process.exit(0);
    })();
  `;
  const pullTimes = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await call(server, "GET", `/api/sync/pull?cursor=${1 << 30}`, counter.cred);
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    return out;
  };
  // 300 pulls each: the p99 of 100 was a single pull, and flipped between runs.
  const calm = stats(await pullTimes(300));
  const shift = spawn(process.execPath, ["-e", SHIFT, server.url], { stdio: ["pipe", "pipe", "inherit"] });
  let shiftOut = "";
  shift.stdout.on("data", (d) => (shiftOut += d));
  const shiftDone = new Promise((r) => shift.on("exit", r));
  await new Promise((r) => setTimeout(r, 300));
  const busy = stats(await pullTimes(300));
  shift.stdin.end("stop\n");
  await shiftDone;
  const { statuses: shiftStatuses, times: signInTimes } = JSON.parse(shiftOut) as { statuses: Record<string, number>; times: number[] };
  const statuses = new Map(Object.entries(shiftStatuses));
  const si = stats(signInTimes);
  rows.push({
    id: "9b",
    what: "A counter's pull (nothing new) while 32 officers sign in at once, round after round (each sign-in an argon2 hash)",
    value: `p50 ${ms(busy.p50)} · p99 ${ms(busy.p99)}`,
    floor: `same server, nobody signing in: p50 ${ms(calm.p50)} · p99 ${ms(calm.p99)}`,
    ratio: `p99 ${(busy.p99 / Math.max(calm.p99, 1)).toFixed(2)}×`,
    target: "p99 ≤ 1.5× calm (the issue measured 776 ms)",
    met: busy.p99 <= 1.5 * Math.max(calm.p99, 1),
    note: `Sign-in answers: ${[...statuses].map(([k, v]) => `${v}× ${k}`).join(", ")}; a sign-in took p50 ${ms(si.p50)}, p99 ${ms(si.p99)} (they wait their turn for a hashing slot). Hashing runs on the blocking pool on all cores but one; the office's requests never wait for it. The officers' sign-ins come from another process.`,
  });
  await ctx.close();
  await server.stop();
});

test.afterAll(async ({ browser }: { browser: Browser }) => {
  facts.push(`CPU: ${cpus().length} × ${cpus()[0]?.model ?? "?"}`);
  facts.push(`Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; kernel ${release()}`);
  facts.push(`Node ${process.version}; Chromium ${browser.version()}`);
  facts.push(`Date: ${new Date().toISOString()}`);
  const order = ["1", "2", "3", "4", "5a", "5b", "5c", "6a", "6b", "6c", "6d", "6e", "6f", "6g", "6h", "6i", "8", "9", "9b", "10"];
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const md = [
    "# Benchmarks",
    "",
    "Written by `bash .ci/bench` (release server, release WASM, embedded SurrealDB on disk,",
    "Debian Chromium headless). Every figure is measured in the same run as its floor;",
    "machines here are noisy, so compare ratios, not absolute numbers across runs.",
    "",
    "## Machine",
    "",
    ...facts.map((f) => `- ${f}`),
    "",
    "## Results",
    "",
    "| # | measure | value | floor (same run) | ratio | target | met |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.id} | ${r.what} | ${r.value} | ${r.floor} | ${r.ratio} | ${r.target} | ${r.met === null ? "—" : r.met ? "yes" : "**no**"} |`),
    "",
    ...rows.filter((r) => r.note).map((r) => `- ${r.id}: ${r.note}`),
    "",
  ].join("\n");
  const out = process.env.BENCH_OUT ?? join(__dirname, "..", "..", "BENCHMARKS.md");
  const notes = join(__dirname, "notes.md");
  let tail = "";
  try {
    tail = readFileSync(notes, "utf8");
  } catch {
    // No analysis written yet.
  }
  writeFileSync(out, md + (tail ? "\n" + tail : ""));
  console.log(md);
});

// The seed's five steps end to end, across the four devices, in real Chromium against the
// real server: kiosk → display → counter → citizen page → survey. Screenshots of every
// view at its device size are kept in test-results/screens.
import { test, expect, Page, Browser } from "@playwright/test";
import { Server, issue, openDevice, shotsDir } from "./harness";
import { join } from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

const TABLET = { width: 1280, height: 800 };
const TV = { width: 1920, height: 1080 };
const PHONE = { width: 360, height: 640 };

async function open(browser: Browser, path: string, viewport: { width: number; height: number }): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  // The print dialog cannot open headless; count the calls instead.
  await page.addInitScript(() => {
    window.print = () => {
      (window as any).__printed = ((window as any).__printed ?? 0) + 1;
    };
  });
  if (/^\/(kiosk|counter|display)/.test(path)) {
    // A name and a NIK planted in the kiosk's label: they must never reach the log.
    await openDevice(server, page, path, path === "/kiosk" ? `Kios ${PLANTED.join(" ")}` : "uji");
  } else {
    await page.goto(`${server.url}${path}`);
  }
  return page;
}

/** Personal strings planted in free-text fields; the server log must not contain them. */
const PLANTED = ["Ni Wayan Sukerti", "5103014107900001"];

test.afterAll(() => {
  for (const p of PLANTED) expect(server.log, `server log leaks ${p}`).not.toContain(p);
  expect(server.log).toContain("device paired");
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(shotsDir(), `${name}.png`) });
}

/** Waits until the kiosk has heard from the server: its taps then take their numbers from
 * the server (the first ticket of the day is A-001), not from its own series (A1-001). */
async function kioskOnline(page: Page) {
  await expect(page.getByTestId("sync-chip")).toContainText("Terhubung", { timeout: 20_000 });
}

/** A fresh kiosk tablet issues one ticket and goes back to its start screen. */
async function ticketFromNewKiosk(browser: Browser): Promise<{ number: string; track: string }> {
  const kiosk = await open(browser, "/kiosk", TABLET);
  await kioskOnline(kiosk);
  const t = await issue(kiosk);
  await kiosk.getByTestId("done").click();
  return t;
}


test("the five steps: ticket, call, check and accept, pickup, hand-over, survey", async ({ browser }) => {
  const kiosk = await open(browser, "/kiosk", TABLET);
  await expect(kiosk.getByTestId("service-legalisir-ktp-el")).toBeVisible();
  await shot(kiosk, "kiosk-start-tablet");
  await kioskOnline(kiosk);
  await kiosk.getByTestId("service-legalisir-ktp-el").click();
  await expect(kiosk.getByTestId("requirements")).toContainText("KTP-el asli");
  await shot(kiosk, "kiosk-detail-tablet");
  await kiosk.getByTestId("take-number").click();
  await expect(kiosk.getByTestId("ticket-number")).toHaveText("A-001");
  await shot(kiosk, "kiosk-ticket-tablet");
  const track = `http://${(await kiosk.getByTestId("track-url").textContent())!.trim()}`;
  await kiosk.getByTestId("done").click();

  const display = await open(browser, "/display", TV);
  await expect(display.getByTestId("loket-cell-1")).toBeVisible();

  const citizen = await open(browser, new URL(track).pathname, PHONE);
  await expect(citizen.getByTestId("citizen-number")).toHaveText("A-001");
  await expect(citizen.getByTestId("headline")).toContainText("Menunggu dipanggil");
  await shot(citizen, "citizen-waiting-phone");
  // The phone loads the citizen page's own bundle, not the office's, and installs no
  // offline shell; it still goes live (below).
  // (The page paints from the server before its wasm arrives: wait for that.)
  const loaded = () => citizen.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
  await expect.poll(async () => (await loaded()).some((p) => /^\/citizen\/pkg\/citizen\..*\.wasm$/.test(p))).toBe(true);
  // The one stylesheet is shared with (and cached for) the office pages; no office
  // script or wasm.
  expect((await loaded()).filter((p) => p.startsWith("/pkg/") && !p.endsWith(".css"))).toEqual([]);
  expect(await citizen.evaluate(async () => (await navigator.serviceWorker.getRegistration()) === undefined)).toBe(true);
  // The live stream was opened by the page's head while the bundle downloaded, and the
  // page took it over (a blocked script or a failed hand-over leaves no mark).
  await expect.poll(() => citizen.evaluate(() => performance.getEntriesByName("antrean-live").length)).toBe(1);

  const counter = await open(browser, "/counter", TABLET);
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("queue-row").first()).toContainText("A-001");
  await shot(counter, "counter-queue-tablet");
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText("A-001");

  // Step 2 → 3: the display shows and announces the call; the citizen is sent to Loket 1.
  await expect(display.getByTestId("latest-call")).toContainText("A-001");
  await expect(display.getByTestId("latest-call")).toContainText("LOKET 1");
  await expect(display.getByTestId("announcements")).toContainText("Nomor antrean A, nol, nol, satu, silakan menuju loket satu");
  await shot(display, "display-call-tv");
  await expect(citizen.getByTestId("go-to")).toContainText("Loket 1", { timeout: 20_000 });
  await shot(citizen, "citizen-called-phone");

  // Step 3 → 4: the officer checks both requirements and accepts.
  await counter.getByTestId("start").click();
  await expect(counter.getByTestId("accept")).toBeDisabled();
  await counter.getByTestId("req-ktp-el-asli").check();
  await expect(counter.getByTestId("accept")).toBeDisabled();
  await counter.getByTestId("req-fotokopi-ktp-el").check();
  // The counter's main actions are on the screen, without scrolling.
  for (const id of ["accept", "return"]) await expect(counter.getByTestId(id)).toBeInViewport({ ratio: 1 });
  await shot(counter, "counter-checklist-tablet");
  await counter.getByTestId("accept").click();
  await expect(citizen.getByTestId("due")).toContainText("WITA", { timeout: 20_000 });
  await shot(citizen, "citizen-accepted-phone");

  // Step 5: ready, called for pickup, handed over.
  await counter.getByTestId("tab-accepted").click();
  await expect(counter.getByTestId("file-row").first()).toContainText("A-001");
  // The receipt prints with its number, the due time and a QR of the receipt number.
  await counter.getByTestId("print-receipt").click();
  await expect(counter.getByTestId("print-slip")).toContainText("RESI PENGAMBILAN");
  await expect(counter.getByTestId("slip-number")).toHaveText(/^\d{8}-A-001$/);
  await expect(counter.getByTestId("print-slip")).toContainText("WITA");
  await expect.poll(() => counter.evaluate(() => (window as any).__printed)).toBe(1);
  const receipt = (await counter.getByTestId("slip-number").textContent())!.trim();
  // Back too early: the kiosk says the copy is not ready yet.
  const checkIn = async () => {
    // A scanner reading the receipt's QR code types its number and Enter.
    await kiosk.getByTestId("rejoin-number").fill(receipt);
    await kiosk.getByTestId("rejoin-number").press("Enter");
  };
  await kiosk.getByTestId("rejoin").click();
  await expect(async () => {
    await checkIn();
    await expect(kiosk.getByRole("alert")).toContainText("belum siap", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await counter.getByTestId("mark-ready").click();
  // Ready (once the kiosk has heard): the citizen checks in, and the counter sees them
  // present.
  await expect(async () => {
    await checkIn();
    await expect(kiosk.getByTestId("rejoin-ok")).toContainText("tercatat hadir", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(counter.getByTestId("file-row").filter({ hasText: "A-001" }).getByTestId("present")).toBeVisible({ timeout: 20_000 });
  await counter.getByTestId("call-pickup").click();
  await expect(display.getByTestId("pickup-calls")).toContainText("A-001");
  await expect(display.getByTestId("announcements")).toContainText("silakan mengambil dokumen di loket satu");
  await shot(display, "display-pickup-tv");
  await shot(counter, "counter-files-tablet");
  await counter.getByTestId("hand-over-file").click();
  await expect(counter.getByTestId("file-row")).toHaveCount(0);
  await expect(counter.getByTestId("files")).not.toContainText("A-001");

  // The citizen rates the service once.
  await expect(citizen.getByTestId("survey")).toBeVisible({ timeout: 20_000 });
  // Every text on the phone, the survey's and the steps' labels too, is at least 16 px.
  const smallest = await citizen.evaluate(() => {
    let min = { px: Infinity, text: "" };
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      if (!own.length || !(el as HTMLElement).getClientRects().length) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < min.px) min = { px, text: own[0].textContent!.trim() };
    }
    return min;
  });
  expect(smallest.px, `"${smallest.text}"`).toBeGreaterThanOrEqual(16);
  // The office's address, phone and hours, and the complaint channels' addresses as text.
  await expect(citizen.getByTestId("office-card")).toContainText("Jl. Raya Sempidi");
  await expect(citizen.getByTestId("office-card")).toContainText("0361 8947979");
  // (This server's catalogue keeps the office open all week, so any hour can test.)
  await expect(citizen.getByTestId("office-card")).toContainText("Jam layanan Senin–Minggu 00.00–23.59 WITA");
  await expect(citizen.getByTestId("channels")).toContainText("disdukcapil@badungkab.go.id");
  await expect(citizen.getByTestId("channels")).toContainText("www.lapor.go.id");
  for (let q = 1; q <= 9; q++) await citizen.getByTestId(`q${q}-${q === 3 ? 3 : 4}`).click();
  await shot(citizen, "citizen-survey-phone");
  await citizen.getByTestId("survey-send").click();
  await expect(citizen.getByTestId("survey-thanks")).toBeVisible();
  const ikm = (await server.api(await server.admin(), "GET", "/api/ikm")).body;
  expect(ikm.overall.respondents).toBe(1);
});

test("a citizen who does not come to collect goes back to the ready files, and the loket serves the next meanwhile", async ({ browser }) => {
  const kiosk = await open(browser, "/kiosk", TABLET);
  await kioskOnline(kiosk);
  const first = await issue(kiosk);
  await kiosk.getByTestId("done").click();
  const second = await issue(kiosk);
  await kiosk.getByTestId("done").click();

  const counter = await open(browser, "/counter", TABLET);
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("queue-row")).toHaveCount(2);
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(first.number);
  await counter.getByTestId("start").click();
  await counter.getByTestId("req-ktp-el-asli").check();
  await counter.getByTestId("req-fotokopi-ktp-el").check();
  await counter.getByTestId("accept").click();
  await counter.getByTestId("tab-accepted").click();
  const row = counter.getByTestId("file-row").filter({ hasText: first.number });
  await row.getByTestId("mark-ready").click();
  await row.getByTestId("call-pickup").click();

  // The pickup call waits at the loket, but the loket is free to call the next citizen.
  await counter.getByTestId("tab-queue").click();
  await expect(counter.getByTestId("current-number")).toHaveText(first.number);
  await expect(counter.getByTestId("pickup-absent")).toBeVisible();
  await shot(counter, "counter-pickup-waiting-tablet");
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(second.number);
  await expect(counter.getByTestId("start")).toBeVisible();

  // The owner of the first copy does not come: it goes back to the ready files.
  await counter.getByTestId("tab-accepted").click();
  await row.getByTestId("pickup-absent-file").click();
  await expect(row.getByTestId("call-pickup")).toBeVisible();
  const citizen = await open(browser, new URL(first.track).pathname, PHONE);
  await expect(citizen.getByTestId("headline")).toContainText("Dokumen siap diambil di Loket 1 atau 2 pada jam layanan, paling lambat");

  // Called again later, it is collected then; the second citizen is done with too.
  await row.getByTestId("call-pickup").click();
  await row.getByTestId("hand-over-file").click();
  await expect(counter.getByTestId("files")).not.toContainText(first.number);
  await counter.getByTestId("tab-queue").click();
  await expect(counter.getByTestId("current-number")).toHaveText(second.number);
  await counter.getByTestId("no-show").click();
  await expect(counter.getByTestId("call-next")).toBeDisabled();
});

test("an incomplete berkas is returned, the citizen sees what to bring, rejoins and is served", async ({ browser }) => {
  const kiosk = await open(browser, "/kiosk", { width: 800, height: 1280 });
  await expect(kiosk.getByTestId("service-legalisir-ktp-el")).toBeVisible();
  await kioskOnline(kiosk);
  const t = await issue(kiosk);
  await kiosk.getByTestId("done").click();

  const counter = await open(browser, "/counter", TABLET);
  await counter.getByTestId("loket-2").click();
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(t.number);
  await counter.getByTestId("start").click();
  await counter.getByTestId("req-ktp-el-asli").check();
  await counter.getByTestId("return").click();
  await expect(counter.getByTestId("call-next")).toBeVisible();
  // The return slip lists what is missing.
  await counter.getByTestId("tab-aside").click();
  await expect(counter.locator(".aside-list")).toContainText("Berkas dikembalikan (belum lengkap)");
  await counter.getByTestId("print-return").click();
  await expect(counter.getByTestId("print-slip")).toContainText("BERKAS DIKEMBALIKAN");
  await expect(counter.getByTestId("print-slip")).toContainText("Fotokopi KTP-el");
  await counter.getByTestId("tab-queue").click();

  const citizen = await open(browser, new URL(t.track).pathname, PHONE);
  await expect(citizen.getByTestId("missing")).toContainText("Fotokopi KTP-el");
  await shot(citizen, "citizen-returned-phone");

  // Back with the photocopy: re-entered at the kiosk with the same ticket.
  await kiosk.getByTestId("rejoin").click();
  // A typed number that was not returned is refused; the ticket's QR code, read by a
  // scanner that types the link and Enter, is taken.
  await kiosk.getByTestId("rejoin-number").fill("A-999");
  await kiosk.getByTestId("rejoin-submit").click();
  await expect(kiosk.getByRole("alert")).toBeVisible();
  await kiosk.getByTestId("rejoin-number").fill(t.track);
  await kiosk.getByTestId("rejoin-number").press("Enter");
  await expect(kiosk.getByTestId("rejoin-ok")).toBeVisible();
  await shot(kiosk, "kiosk-rejoin-portrait");

  await expect(counter.getByTestId("queue-row").first()).toContainText(t.number, { timeout: 20_000 });
  await counter.getByTestId("call-next").click();
  await counter.getByTestId("start").click();
  await counter.getByTestId("req-ktp-el-asli").check();
  await counter.getByTestId("req-fotokopi-ktp-el").check();
  await counter.getByTestId("accept").click();
  await expect(citizen.getByTestId("receipt")).toBeVisible({ timeout: 20_000 });
});

test("an offline counter keeps working and converges after reconnect", async ({ browser }) => {
  const a = await ticketFromNewKiosk(browser);

  const ctx = await browser.newContext({ viewport: TABLET });
  const counter = await ctx.newPage();
  await openDevice(server, counter, "/counter");
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("queue-row").first()).toContainText(a.number, { timeout: 20_000 });
  await ctx.setOffline(true);
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(a.number);
  await expect(counter.getByTestId("sync-chip")).toContainText("Luring", { timeout: 20_000 });
  await shot(counter, "counter-offline-tablet");
  // The call was taken at loket 1 and waits to be sent: the loket cannot change now.
  await counter.getByRole("button", { name: "Ganti loket" }).click();
  await expect(counter.getByText("Tunggu sampai semua tindakan terkirim ke server sebelum ganti loket.")).toBeVisible();
  await expect(counter.getByTestId("current-number")).toHaveText(a.number);
  await ctx.setOffline(false);
  await expect(counter.getByTestId("sync-chip")).toHaveText(/Terhubung$/, { timeout: 40_000 });
  const citizen = await open(browser, new URL(a.track).pathname, PHONE);
  await expect(citizen.getByTestId("go-to")).toContainText("Loket 1");
});

test("an officer transfers a ticket to another service's queue", async ({ browser }) => {
  const t = await ticketFromNewKiosk(browser);
  const counter = await open(browser, "/counter", TABLET);
  // Loket 1 still has the offline test's ticket called; loket 2 is free.
  await counter.getByTestId("loket-2").click();
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(t.number);
  await counter.getByTestId("transfer-service").selectOption("legalisir-kk|");
  await counter.getByTestId("transfer-go").click();
  await expect(counter.getByTestId("call-next")).toBeVisible();
  const citizen = await open(browser, new URL(t.track).pathname, PHONE);
  await expect(citizen.getByTestId("citizen-card")).toContainText("Kartu Keluarga");
  await expect(citizen.getByTestId("headline")).toContainText("Menunggu dipanggil");
});

test("the counter's waiting times move on with the clock, a minute at a time", async ({ browser }) => {
  // Fake clocks that flow like the real one until fast-forwarded, started so that the
  // next 20 minutes stay on one service day (WITA): a waiting ticket leaves the line at
  // midnight, and this test may run at any hour.
  const witaMinute = Math.floor((Date.now() + 8 * 3_600_000) / 60_000) % 1440;
  const behind = witaMinute >= 23 * 60 + 35 ? 25 * 60_000 : 0;
  const kioskCtx = await browser.newContext({ viewport: TABLET });
  const kiosk = await kioskCtx.newPage();
  await kiosk.clock.install({ time: Date.now() - behind });
  await openDevice(server, kiosk, "/kiosk");
  await kioskOnline(kiosk);
  const t = await issue(kiosk);
  const ctx = await browser.newContext({ viewport: TABLET });
  const counter = await ctx.newPage();
  await counter.clock.install({ time: Date.now() - behind });
  await openDevice(server, counter, "/counter");
  await counter.getByTestId("loket-1").click();
  const row = counter.getByTestId("queue-row").filter({ hasText: t.number });
  await expect(row).toContainText("0 menit", { timeout: 20_000 });
  await counter.clock.fastForward("03:00");
  await expect(row).toContainText("3 menit");
  await counter.clock.fastForward("10:00");
  await expect(row).toContainText("13 menit");
});

test("with two kiosks online, numbers follow the order of the taps and the line is called in that order", async ({ browser }) => {
  // Blocks of numbers held by each kiosk printed A-021 at one kiosk before A-002 at the
  // other, and called it first: to a waiting citizen, queue-jumping.
  const k1 = await open(browser, "/kiosk", TABLET);
  const k2 = await open(browser, "/kiosk", TABLET);
  await kioskOnline(k1);
  await kioskOnline(k2);
  const numbers: string[] = [];
  for (const k of [k1, k2, k1, k2]) {
    numbers.push((await issue(k)).number);
    await k.getByTestId("done").click();
  }
  for (const n of numbers) expect(n).toMatch(/^A-\d{3}$/);
  const seqs = numbers.map((n) => parseInt(n.slice(2), 10));
  expect(seqs).toEqual([0, 1, 2, 3].map((i) => seqs[0] + i));
  // The counter's line (the order "Panggil berikutnya" follows) shows them in that order.
  const counter = await open(browser, "/counter", TABLET);
  await counter.getByTestId("loket-2").click();
  const rows = counter.getByTestId("queue-row");
  await expect(rows.filter({ hasText: numbers[3] })).toHaveCount(1, { timeout: 20_000 });
  const listed = (await rows.allTextContents()).map((t) => t.match(/A-\d{3}/)?.[0]).filter((n) => n && numbers.includes(n));
  expect(listed).toEqual(numbers);
});

/** What the ticket screen's QR code says, read from a screenshot as a phone camera would. */
async function scanTicketQr(kiosk: Page): Promise<string | undefined> {
  const png = PNG.sync.read(await kiosk.getByTestId("ticket").locator("svg.qr").screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

// Last in this file: the tests above expect the first numbers of the day.
test("each ticket's QR code carries that ticket's own tracking link", async ({ browser }) => {
  // The kiosk draws the next ticket's QR code before the tap; the code shown must still be
  // the issued ticket's, and the next ticket must get a new one.
  const kiosk = await open(browser, "/kiosk", TABLET);
  await kioskOnline(kiosk);
  const links: string[] = [];
  for (let i = 0; i < 3; i++) {
    const t = await issue(kiosk);
    expect(await scanTicketQr(kiosk)).toBe(t.track);
    links.push(t.track);
    await kiosk.getByTestId("done").click();
    // Nothing of the citizen's ticket stays behind in the hidden screen.
    await expect(kiosk.getByTestId("ticket")).toBeHidden();
    await expect(kiosk.getByTestId("ticket-number")).toBeEmpty();
    await expect(kiosk.getByTestId("track-url")).toBeEmpty();
  }
  expect(new Set(links).size).toBe(3);
  // The link is the citizen's page for that ticket.
  const phone = await open(browser, new URL(links[2]).pathname, PHONE);
  await expect(phone.getByTestId("citizen-number")).toHaveText(/^A-\d{3}$/);
});

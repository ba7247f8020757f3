// Every view renders at its device size; the home page, the admin page, an unknown
// ticket, and the language toggle.
import { test, expect } from "@playwright/test";
import { Server, alwaysOpenCatalogue, issue, openDevice, shotsDir } from "./harness";
import { join } from "node:path";
import { rmSync } from "node:fs";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

test("home offers the four device roles and the public page", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}/`);
  for (const href of ["/kiosk", "/counter", "/display", "/admin", "/layanan"]) {
    await expect(page.locator(`a[href="${href}"]`)).toBeVisible();
  }
  // The three weights of Inter the site ships (subset by .ci/setup) load as fonts, with
  // the tabular figures the clocks and counts use.
  const faces = await page.evaluate(async () => {
    const all = [...document.fonts].filter((f) => f.family.replace(/"/g, "") === "Inter");
    await Promise.all(all.map((f) => f.load().catch(() => undefined)));
    return all.map((f) => `${f.weight} ${f.status}`).sort();
  });
  expect(faces).toEqual(["400 loaded", "600 loaded", "800 loaded"]);
  // "1" is narrower than "8" in proportional figures: equal widths mean tabular ones.
  const widths = await page.evaluate(() => {
    const span = (t: string) => {
      const s = document.createElement("span");
      s.style.cssText = "font: 400 40px Inter; font-variant-numeric: tabular-nums; position: absolute";
      s.textContent = t;
      document.body.append(s);
      const w = s.getBoundingClientRect().width;
      s.remove();
      return w;
    };
    return [span("111"), span("888")];
  });
  expect(widths[0]).toBeCloseTo(widths[1], 1);
  await page.screenshot({ path: join(shotsDir(), "home-tablet.png") });
});

test("an unknown tracking token says the ticket was not found, with a 404 like the API", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 640 });
  for (const token of ["AAAAAAAAAAAAAAAAAAAAAA", "not-a-token"]) {
    const response = await page.goto(`${server.url}/t/${token}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByTestId("not-found")).toBeVisible();
  }
});

/** Nothing of the page lies outside the screen, and `ids` are wholly on it. */
async function fitsScreen(page: import("@playwright/test").Page, ids: string[]) {
  const size = await page.evaluate(() => ({
    h: document.documentElement.scrollHeight,
    w: document.documentElement.scrollWidth,
    vh: window.innerHeight,
    vw: window.innerWidth,
  }));
  expect(size.h, "page scrolls vertically").toBeLessThanOrEqual(size.vh);
  expect(size.w, "page scrolls sideways").toBeLessThanOrEqual(size.vw);
  for (const id of ids) await expect(page.getByTestId(id).first()).toBeInViewport({ ratio: 1 });
}

for (const [name, viewport] of [
  ["landscape", { width: 1280, height: 800 }],
  ["portrait", { width: 800, height: 1280 }],
] as const) {
  test(`every kiosk screen fits the ${name} tablet without scrolling`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await openDevice(server, page, "/kiosk");
    await expect(page.getByTestId("service-legalisir-ktp-el")).toBeVisible();
    await fitsScreen(page, ["service-legalisir-ktp-el", "service-legalisir-kk", "rejoin"]);
    await page.getByTestId("service-legalisir-ktp-el").click();
    await fitsScreen(page, ["requirements", "take-number"]);
    await page.screenshot({ path: join(shotsDir(), `kiosk-detail-${name}.png`) });
    await page.getByTestId("take-number").click();
    await expect(page.getByTestId("ticket-number")).toBeVisible({ timeout: 20_000 });
    await fitsScreen(page, ["ticket-number", "done"]);
    await page.screenshot({ path: join(shotsDir(), `kiosk-ticket-${name}.png`) });
    await page.getByTestId("done").click();
    await page.getByTestId("rejoin").click();
    await fitsScreen(page, ["rejoin-number", "rejoin-submit"]);
    await page.screenshot({ path: join(shotsDir(), `kiosk-rejoin-${name}.png`) });
  });
}

test("the kiosk switches to English and back", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDevice(server, page, "/kiosk");
  await expect(page.getByTestId("service-legalisir-ktp-el")).toContainText("Legalisir KTP-el");
  await expect(page.locator("html")).toHaveAttribute("lang", "id-ID");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByTestId("service-legalisir-ktp-el")).toContainText("Certified copy");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.screenshot({ path: join(shotsDir(), "kiosk-english-tablet.png") });
  await page.getByRole("button", { name: "Bahasa Indonesia" }).click();
  await expect(page.getByTestId("service-legalisir-ktp-el")).toContainText("Legalisir KTP-el");
});

test("the kiosk greets the next citizen in Indonesian: after a ticket, and when left idle", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.clock.install({ time: Date.now() });
  await openDevice(server, page, "/kiosk");
  const card = page.getByTestId("service-legalisir-ktp-el");
  await expect(card).toContainText("Legalisir KTP-el");
  // A citizen reads English, takes a number and taps "Done".
  await page.getByRole("button", { name: "English" }).click();
  await expect(card).toContainText("Certified copy");
  await issue(page);
  await page.getByTestId("done").click();
  await expect(card).toContainText("Legalisir KTP-el");
  // Another switches to English and walks away: a minute later it is Indonesian again.
  await page.getByRole("button", { name: "English" }).click();
  await expect(card).toContainText("Certified copy");
  await page.clock.fastForward("00:30");
  await expect(card).toContainText("Certified copy");
  await page.clock.fastForward("00:35");
  await expect(card).toContainText("Legalisir KTP-el");
  await expect(page.locator("html")).toHaveAttribute("lang", "id-ID");
});

test("the display shows the empty state on a TV", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openDevice(server, page, "/display");
  await expect(page.getByTestId("loket-cell-1")).toBeVisible();
  // This Chromium runs with the autoplay flag, as an unattended TV should: sound is on.
  await expect(page.getByTestId("muted")).toHaveCount(0);
  await page.screenshot({ path: join(shotsDir(), "display-empty-tv.png") });
});

test("a TV whose browser needs a tap says its sound is off until tapped", async ({ browser }) => {
  // Headless Chromium lets audio start without a gesture whatever its autoplay flag says
  // (checked: AudioContext is "running" under --autoplay-policy=user-gesture-required).
  // A TV's browser without the flag keeps audio suspended until someone touches the
  // screen: the page sees that policy here, keyed to the first trusted pointer or key
  // event (not to `userActivation`, which Playwright's own evaluations grant).
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  await ctx.addInitScript(() => {
    let touched = false;
    for (const kind of ["pointerdown", "keydown"]) {
      window.addEventListener(kind, (e) => (touched ||= e.isTrusted), { capture: true });
    }
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      get state(): AudioContextState {
        return touched ? super.state : "suspended";
      }
    };
  });
  const page = await ctx.newPage();
  await openDevice(server, page, "/display");
  await expect(page.getByTestId("loket-cell-1")).toBeVisible();
  await expect(page.getByTestId("muted")).toContainText("Suara mati");
  await page.screenshot({ path: join(shotsDir(), "display-muted-tv.png") });
  await page.mouse.click(960, 600);
  await expect(page.getByTestId("muted")).toHaveCount(0);
  await ctx.close();
});

test("a service whose daily quota is used up says so on the kiosk and takes no more", async ({ browser }) => {
  // An office that caps Legalisir KTP-el at one ticket a day, through ANTREAN_CATALOGUE.
  const path = alwaysOpenCatalogue((seed) =>
    seed.replace("lokets = [1, 2]", "lokets = [1, 2]\ndaily_cap = 1").replace(/kiosk_cooldown_secs = \d+/, "kiosk_cooldown_secs = 0"),
  );
  const capped = await Server.start({ ANTREAN_CATALOGUE: path });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await openDevice(capped, page, "/kiosk");
  const card = page.getByTestId("service-legalisir-ktp-el");
  await expect(card).toBeEnabled();
  await card.click();
  await page.getByTestId("take-number").click();
  await expect(page.getByTestId("ticket-number")).toBeVisible();
  await page.getByTestId("done").click();
  await expect(card).toBeDisabled();
  await expect(card.getByTestId("quota-full")).toContainText("Kuota hari ini sudah habis");
  await expect(page.getByTestId("service-legalisir-kk")).toBeEnabled();
  await page.screenshot({ path: join(shotsDir(), "kiosk-quota-full-tablet.png") });
  await ctx.close();
  await capped.stop();
  rmSync(path, { force: true });
});

test("the public page shows every standard and the queue now on a phone, downloads no code, and keeps the queue current", async ({ browser }) => {
  const kioskCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const kiosk = await kioskCtx.newPage();
  await openDevice(server, kiosk, "/kiosk");
  const before = await (await fetch(`${server.url}/api/public`)).json();
  const waiting = before.services[0].waiting as number;
  await issue(kiosk);
  await kiosk.getByTestId("done").click();

  const phone = await (await browser.newContext({ viewport: { width: 360, height: 640 } })).newPage();
  const requested: string[] = [];
  phone.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await phone.clock.install();
  const response = await phone.goto(`${server.url}/layanan`);
  expect(response?.status()).toBe(200);
  const ktp = phone.getByTestId("public-legalisir-ktp-el");
  await expect(ktp.getByTestId("queue-now")).toContainText(`${waiting + 1} orang menunggu`);
  await expect(ktp).toContainText("Fotokopi KTP-el");
  await expect(ktp).toContainText("Dasar hukum");
  await expect(ktp.getByTestId("channels")).toContainText("www.lapor.go.id");
  await expect(phone.getByTestId("public-legalisir-kk")).toBeVisible();
  await expect(phone.getByTestId("public-ikm")).toContainText("Belum ada penilaian pada bulan lalu.");
  await expect(phone.getByTestId("office-card")).toContainText("Jl. Raya Sempidi");
  await phone.screenshot({ path: join(shotsDir(), "public-phone.png"), fullPage: true });
  // Read on a phone: no text below 16 px.
  const smallest = await phone.evaluate(() => {
    let min = { px: Infinity, text: "" };
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      if (!own.length || !(el as HTMLElement).getClientRects().length || el.tagName === "SCRIPT") continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < min.px) min = { px, text: own[0].textContent!.trim() };
    }
    return min;
  });
  expect(smallest.px, `"${smallest.text}"`).toBeGreaterThanOrEqual(16);
  // The phone gets the page and the stylesheet: no script, no wasm.
  expect(requested.filter((p) => /\.(wasm|js)$/.test(p))).toEqual([]);

  // Another ticket: the page shows it when it reloads itself, within half a minute.
  await issue(kiosk);
  await phone.clock.fastForward(31_000);
  await expect(ktp.getByTestId("queue-now")).toContainText(`${waiting + 2} orang menunggu`);

  // In English by a link, and back.
  await phone.getByTestId("public-lang").click();
  await expect(phone).toHaveURL(/\/layanan\?lang=en$/);
  await expect(ktp.getByTestId("queue-now")).toContainText(`${waiting + 2} people waiting`);
  await expect(phone.locator("html")).toHaveAttribute("lang", "en");
  await phone.getByTestId("public-lang").click();
  await expect(ktp.getByTestId("queue-now")).toContainText("orang menunggu");
  await kioskCtx.close();
});

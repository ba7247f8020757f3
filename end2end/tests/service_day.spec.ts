// The service day across midnight: a kiosk, a counter and a display left open from the
// afternoon to the next morning, with the server down over midnight. Their clocks are
// faked (Playwright's clock) to start a day in the past, then moved on by a day; the
// server's clock is the real one, so "yesterday" for the devices is a day the server sees
// as closed when it comes back.
import { test, expect, Page, Browser } from "@playwright/test";
import { Server, issue, openDevice, shotsDir } from "./harness";
import { join } from "node:path";

const DAY_MS = 86_400_000;
const TABLET = { width: 1280, height: 800 };
const TV = { width: 1920, height: 1080 };
const PHONE = { width: 360, height: 640 };

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

/** A device page whose clock starts a day ago and flows like the real one. */
async function yesterdayDevice(browser: Browser, path: string, viewport: { width: number; height: number }): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  await page.clock.install({ time: Date.now() - DAY_MS });
  await openDevice(server, page, path);
  return page;
}

/** A ticket, and the kiosk back at its start screen. */
async function issueAndLeave(kiosk: Page): Promise<{ number: string; track: string }> {
  const t = await issue(kiosk);
  await kiosk.getByTestId("done").click();
  return t;
}

test("devices left open overnight roll over to the new day, and the server closes yesterday when it returns", async ({ browser }) => {
  const kiosk = await yesterdayDevice(browser, "/kiosk", TABLET);
  const counter = await yesterdayDevice(browser, "/counter", TABLET);
  const display = await yesterdayDevice(browser, "/display", TV);
  await counter.getByTestId("loket-1").click();

  // Yesterday afternoon: two citizens take numbers; loket 1 calls the first, who never
  // comes; the second is still waiting at closing time.
  const called = await issueAndLeave(kiosk);
  const waiting = await issueAndLeave(kiosk);
  await expect(counter.getByTestId("queue-row")).toHaveCount(2, { timeout: 20_000 });
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(called.number);
  await expect(display.getByTestId("loket-cell-1")).toContainText(called.number, { timeout: 20_000 });
  await expect(counter.getByTestId("queue-row")).toHaveCount(1);
  await expect(kiosk.getByTestId("service-legalisir-ktp-el")).toContainText("1 orang menunggu");

  // The server goes down for the night; the devices' clocks move on to this morning.
  await server.down();
  for (const p of [kiosk, counter, display]) await p.clock.fastForward(DAY_MS);

  // Without the server, every screen shows the new day: yesterday's call is no longer
  // the loket's, yesterday's line is empty, nobody is waiting at the kiosk.
  await expect(counter.getByTestId("queue-row")).toHaveCount(0, { timeout: 20_000 });
  await expect(counter.getByTestId("call-next")).toBeVisible();
  await expect(display.getByTestId("loket-cell-1")).toContainText("—");
  await expect(display.getByTestId("latest-call")).toHaveCount(0);
  await expect(kiosk.getByTestId("service-legalisir-ktp-el")).toContainText("0 orang menunggu");
  // The offline kiosk issues today's numbers: A-001, which it took from the server
  // yesterday (the server's clock is on today; that tap, dated yesterday by the kiosk's
  // clock, printed from the kiosk's series and left today's number in its pool).
  const today = await issueAndLeave(kiosk);
  expect(today.number).toBe("A-001");
  await counter.screenshot({ path: join(shotsDir(), "counter-next-morning-offline-tablet.png") });

  // The server returns, closes yesterday at start-up and takes the kiosk's ticket.
  await server.up();
  await expect(counter.getByTestId("queue-row")).toHaveCount(1, { timeout: 40_000 });
  await expect(counter.getByTestId("queue-row").first()).toContainText("A-001");
  const phone = await (await browser.newContext({ viewport: PHONE })).newPage();
  await phone.goto(`${server.url}${new URL(waiting.track).pathname}`);
  await expect(phone.getByTestId("citizen-card")).toHaveAttribute("data-status", "not_served", { timeout: 20_000 });
  await expect(phone.getByTestId("headline")).toContainText("nomor baru");
  await phone.screenshot({ path: join(shotsDir(), "citizen-not-served-phone.png") });
  await display.screenshot({ path: join(shotsDir(), "display-next-morning-tv.png") });
});

// Contrast and labels, checked by axe-core on every view a citizen or officer sees: the
// kiosk (start, detail, ticket), the counter (sign-in, queue), the display, the citizen
// page, the admin sign-in. WCAG 2 AA colour contrast, names on buttons and form fields.
import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { Server, openDevice } from "./harness";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

async function check(page: Page, what: string) {
  const r = await new AxeBuilder({ page })
    .withRules(["color-contrast", "button-name", "label", "image-alt", "link-name"])
    .analyze();
  const found = r.violations.map((v) => `${what}: ${v.id} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, found.join("\n")).toEqual([]);
}

test("every view passes the contrast and label checks", async ({ browser }) => {
  const kioskCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const kiosk = await kioskCtx.newPage();
  await openDevice(server, kiosk, "/kiosk");
  await expect(kiosk.getByTestId("service-legalisir-ktp-el")).toBeVisible();
  await check(kiosk, "kiosk start");
  await kiosk.getByTestId("service-legalisir-ktp-el").click();
  await check(kiosk, "kiosk detail");
  await kiosk.getByTestId("take-number").click();
  await expect(kiosk.getByTestId("ticket-number")).toBeVisible();
  await check(kiosk, "kiosk ticket");
  const track = new URL(`http://${(await kiosk.getByTestId("track-url").textContent())!.trim()}`).pathname;

  const counter = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await counter.goto(`${server.url}/counter`);
  await expect(counter.getByTestId("sign-in")).toBeVisible();
  await check(counter, "counter sign-in");
  await server.createStaff("petugas", "officer");
  await counter.getByTestId("sign-in").locator("input[name=username]").fill("petugas");
  await counter.getByTestId("sign-in").locator("input[name=password]").fill("kata-sandi-uji-1");
  await counter.getByTestId("sign-in").locator("button[type=submit]").click();
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("queue-row").first()).toBeVisible();
  await check(counter, "counter queue");
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toBeVisible();
  await check(counter, "counter current");

  const display = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  await openDevice(server, display, "/display");
  await expect(display.getByTestId("latest-call")).toBeVisible();
  await check(display, "display");

  const citizen = await (await browser.newContext({ viewport: { width: 360, height: 640 } })).newPage();
  await citizen.goto(`${server.url}${track}`);
  await expect(citizen.getByTestId("go-to")).toBeVisible({ timeout: 20_000 });
  await check(citizen, "citizen page");

  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await admin.goto(`${server.url}/admin`);
  await expect(admin.getByTestId("admin-login")).toBeVisible();
  await check(admin, "admin sign-in");
});

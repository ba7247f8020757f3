// Every view renders at its device size; the home page, the admin page, an unknown
// ticket, and the language toggle.
import { test, expect } from "@playwright/test";
import { Server, alwaysOpenCatalogue, openDevice, shotsDir } from "./harness";
import { dirname, join } from "node:path";
import { rmSync } from "node:fs";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

test("home offers the four device roles", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}/`);
  for (const href of ["/kiosk", "/counter", "/display", "/admin"]) {
    await expect(page.locator(`a[href="${href}"]`)).toBeVisible();
  }
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

test("the display shows the empty state on a TV", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openDevice(server, page, "/display");
  await expect(page.getByTestId("loket-cell-1")).toBeVisible();
  await page.screenshot({ path: join(shotsDir(), "display-empty-tv.png") });
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
  rmSync(dirname(path), { recursive: true, force: true });
});

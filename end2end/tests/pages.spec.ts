// Every view renders at its device size; the home page, the admin page, an unknown
// ticket, and the language toggle.
import { test, expect } from "@playwright/test";
import { Server, openDevice, shotsDir } from "./harness";
import { join } from "node:path";

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

test("an unknown tracking token says the ticket was not found", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 640 });
  await page.goto(`${server.url}/t/AAAAAAAAAAAAAAAAAAAAAA`);
  await expect(page.getByTestId("not-found")).toBeVisible();
});

test("the kiosk switches to English and back", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openDevice(server, page, "/kiosk");
  await expect(page.getByTestId("service-legalisir-ktp-el")).toContainText("Legalisir KTP-el");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByTestId("service-legalisir-ktp-el")).toContainText("Certified copy");
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

// An admin edits a service's standard in /admin; a kiosk that is open shows the new
// requirement without a reload, and a mistake in the form is named, not stored.
import { test, expect } from "@playwright/test";
import { join } from "node:path";
import { PASSWORD, Server, openDevice, shotsDir } from "./harness";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

test("an open kiosk shows a requirement the admin adds, without a reload", async ({ browser }) => {
  const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await openDevice(server, kiosk, "/kiosk");
  await kiosk.getByTestId("service-legalisir-ktp-el").click();
  await expect(kiosk.getByTestId("requirements")).toContainText("Fotokopi KTP-el");
  await expect(kiosk.getByTestId("requirements")).not.toContainText("Surat kuasa");
  // Marks this page: a reload would lose the mark.
  await kiosk.evaluate(() => ((window as any).__sameDocument = true));

  await server.admin();
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await admin.goto(`${server.url}/admin`);
  const login = admin.getByTestId("admin-login");
  await login.locator("input[name=username]").fill("admin");
  await login.locator("input[name=password]").fill(PASSWORD);
  await login.locator("button[type=submit]").click();
  const editor = admin.getByTestId("service-editor-legalisir-ktp-el");
  const reqs = editor.locator("textarea[name=requirements]");
  await expect(reqs).toHaveValue(/KTP-el asli \| Original e-ID card/);

  // A mistake is named in the admin's language and nothing is stored.
  await editor.locator("input[name=lokets]").fill("1, dua");
  await editor.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toHaveText("Loket ditulis sebagai angka 1–99 dipisah koma, misalnya 1, 2.");
  await editor.locator("input[name=lokets]").fill("1, 2");

  await reqs.fill(`${await reqs.inputValue()}\nSurat kuasa (jika diwakilkan) | Power of attorney (if represented)`);
  await editor.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toContainText("Standar layanan disimpan");
  await expect(admin.getByTestId("admin-message")).toContainText("versi 2");
  await admin.screenshot({ path: join(shotsDir(), "admin-service-editor.png"), fullPage: true });

  // The kiosk, left open on the service, shows it within seconds.
  await expect(kiosk.getByTestId("requirements")).toContainText("Surat kuasa (jika diwakilkan)", { timeout: 10_000 });
  expect(await kiosk.evaluate(() => (window as any).__sameDocument)).toBe(true);
  const audit = (await server.api(await server.admin(), "GET", "/api/audit?limit=5")).body;
  expect(JSON.stringify(audit)).toContain("changed_service");
});

// An admin edits a service's standard in /admin; a kiosk that is open shows the new
// requirement without a reload, a ticket issued before keeps its old checklist at the
// counter, and a mistake in the form is named, not stored.
import { test, expect } from "@playwright/test";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Server, issue, openDevice, shotsDir, signInAdmin } from "./harness";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

test("an open kiosk shows a requirement the admin adds, without a reload; a ticket issued before keeps its checklist", async ({ browser }) => {
  const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await openDevice(server, kiosk, "/kiosk");
  const before = await issue(kiosk);
  await kiosk.getByTestId("done").click();
  await kiosk.getByTestId("service-legalisir-ktp-el").click();
  await expect(kiosk.getByTestId("requirements")).toContainText("Fotokopi KTP-el");
  await expect(kiosk.getByTestId("requirements")).not.toContainText("Surat kuasa");
  // Marks this page: a reload would lose the mark.
  await kiosk.evaluate(() => ((window as any).__sameDocument = true));

  await server.admin();
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await admin.goto(`${server.url}/admin`);
  await signInAdmin(admin);
  // The office's hours: a day written the wrong way round is named.
  const hours = admin.getByTestId("hours-form");
  await expect(hours.locator("input[name=day0]")).toHaveValue("00.00–23.59");
  await hours.locator("input[name=day5]").fill("12.00–08.00");
  await hours.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toHaveText(
    "Jam layanan hari Sabtu ditulis seperti 07.30–15.30 (buka sebelum tutup), atau kosong bila tutup.",
  );
  await hours.locator("input[name=day5]").fill("00.00–23.59");

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
  await kiosk.getByTestId("take-number").click();
  await expect(kiosk.getByTestId("ticket-number")).toBeVisible();
  const after = (await kiosk.getByTestId("ticket-number").textContent())!.trim();

  // At the counter: the ticket issued before the change is checked against the two
  // documents it was told to bring; the one issued after against three.
  const counter = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await openDevice(server, counter, "/counter");
  await counter.getByTestId("loket-1").click();
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(before.number);
  await counter.getByTestId("start").click();
  const checklist = counter.getByTestId("checklist");
  await expect(checklist.locator("input[type=checkbox]")).toHaveCount(2);
  await counter.getByTestId("req-ktp-el-asli").check();
  await counter.getByTestId("req-fotokopi-ktp-el").check();
  await counter.getByTestId("accept").click();
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(after);
  await counter.getByTestId("start").click();
  await expect(checklist.locator("input[type=checkbox]")).toHaveCount(3);
  await expect(counter.getByTestId("req-surat-kuasa-jika-diwakilkan")).toBeVisible();
  // The server accepted the first file with its two documents.
  const admin2 = await server.admin();
  await expect
    .poll(async () => {
      const pull = (await server.api(admin2, "GET", "/api/sync/pull?cursor=0")).body;
      const t = pull.snapshot.tickets.find((x: any) => x.number === before.number);
      return t?.status?.state;
    })
    .toBe("accepted");
  const audit = (await server.api(await server.admin(), "GET", "/api/audit?limit=50")).body;
  expect(JSON.stringify(audit)).toContain("changed_service");
});

test("an admin adds a service: an open kiosk offers it without a reload and issues its letter; a service no longer offered leaves the kiosk", async ({ browser }) => {
  const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await openDevice(server, kiosk, "/kiosk");
  await expect(kiosk.getByTestId("service-legalisir-kk")).toBeVisible();
  await kiosk.evaluate(() => ((window as any).__sameDocument = true));

  await server.admin();
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await admin.goto(`${server.url}/admin`);
  await signInAdmin(admin);

  const form = admin.getByTestId("service-editor-new");
  // Started with the office's complaint channels and a free fee.
  await expect(form.locator("textarea[name=complaints]")).toHaveValue(/email \| E-mail \| E-mail \| disdukcapil@badungkab.go.id/);
  await expect(form.locator("input[name=fee_rupiah]")).toHaveValue("0");
  await form.locator("input[name=prefix]").fill("A");
  await form.locator("input[name=name]").fill("Legalisir Akta Kelahiran | Certified copy of a birth certificate");
  await form.locator("textarea[name=requirements]").fill("Akta kelahiran asli | Original birth certificate\nFotokopi akta kelahiran | Photocopy of the birth certificate");
  await form.locator("input[name=lokets]").fill("3");
  await form.locator("textarea[name=procedure]").fill("Ambil nomor antrean | Take a number\nSerahkan berkas di loket | Hand in the documents at the counter");
  await form.locator("input[name=product]").fill("Fotokopi akta kelahiran yang dilegalisir | Certified copy");
  // A letter another service has is named, and nothing is stored.
  await form.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toHaveText("Huruf A sudah dipakai layanan lain.");
  await form.locator("input[name=prefix]").fill("c");
  await form.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toContainText("Layanan ditambahkan");
  const added = admin.getByTestId("service-editor-legalisir-akta-kelahiran");
  await expect(added.locator("h2")).toHaveText("C — Legalisir Akta Kelahiran");
  // The form is ready for the next one.
  await expect(form.locator("input[name=name]")).toHaveValue("");

  // The open kiosk offers it and issues its letter.
  const button = kiosk.getByTestId("service-legalisir-akta-kelahiran");
  await expect(button).toBeVisible({ timeout: 10_000 });
  expect(await kiosk.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await button.click();
  await expect(kiosk.getByTestId("requirements")).toContainText("Akta kelahiran asli");
  await kiosk.getByTestId("take-number").click();
  await expect(kiosk.getByTestId("ticket-number")).toHaveText(/^C/);
  await kiosk.getByTestId("done").click();
  await kiosk.screenshot({ path: join(shotsDir(), "kiosk-added-service.png") });

  // No longer offered: it leaves the kiosk, and the editor says so.
  await added.getByTestId("offered-toggle").click();
  await expect(admin.getByTestId("admin-message")).toContainText("Layanan tidak ditawarkan lagi");
  await expect(added.locator("h2")).toHaveText("C — Legalisir Akta Kelahiran (tidak ditawarkan)");
  await expect(button).toBeHidden({ timeout: 10_000 });
  await expect(kiosk.getByTestId("service-legalisir-kk")).toBeVisible();
  // The backup carries the new service.
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByTestId("backup").click()]);
  expect(download.suggestedFilename()).toMatch(/^antrean-\d{4}-\d{2}-\d{2}\.surql$/);
  expect(readFileSync((await download.path())!, "utf8")).toContain("Legalisir Akta Kelahiran");
  const audit = JSON.stringify((await server.api(await server.admin(), "GET", "/api/audit?limit=50")).body);
  expect(audit).toContain("added_service");
  expect(audit).toContain("retired_service");
  expect(audit).toContain("downloaded_backup");
});

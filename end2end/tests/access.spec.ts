// Accounts and devices through the admin page: the first admin signs in, pairs a display
// by typing the code the display shows, revokes it, and the display stops and asks to be
// paired again. No CSP violation on any page.
import { test, expect, Page } from "@playwright/test";
import { PASSWORD, Server, shotsDir, signIn, signInAdmin } from "./harness";
import { join } from "node:path";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

test("an admin pairs a display with its code and revokes it", async ({ browser }) => {
  await server.admin(); // the first admin, made with the printed setup token
  const displayCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const display = await displayCtx.newPage();
  const displayCsp = watchCsp(display);
  await display.goto(`${server.url}/display`);
  const codeEl = display.getByTestId("pairing-code");
  await expect(codeEl).toHaveText(/^\d{3} \d{3}$/, { timeout: 30_000 });
  await display.screenshot({ path: join(shotsDir(), "display-pairing-tv.png") });
  const code = (await codeEl.textContent())!.replace(/\D/g, "");

  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const admin = await adminCtx.newPage();
  const adminCsp = watchCsp(admin);
  await admin.goto(`${server.url}/admin`);
  const login = admin.getByTestId("admin-login");
  await login.locator("input[name=username]").fill("admin");
  await login.locator("input[name=password]").fill("salah-sekali-ya");
  await login.locator("button[type=submit]").click();
  // The server sends a code; the page words it in the page's language.
  await expect(login.getByRole("alert")).toHaveText("Nama pengguna atau kata sandi salah.");
  await login.locator("input[name=password]").fill(PASSWORD);
  await login.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-user")).toContainText("admin");

  const form = admin.getByTestId("pair-form");
  // A code no device shows is explained, not echoed in English.
  await form.locator("input[name=code]").fill(code === "000000" ? "000001" : "000000");
  await form.locator("input[name=label]").fill("Layar ruang tunggu");
  await form.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toHaveText(
    "Tidak ada perangkat yang menampilkan kode ini. Periksa kodenya atau minta kode baru.",
  );
  await form.locator("input[name=code]").fill(code);
  await form.locator("input[name=label]").fill("Layar ruang tunggu");
  await form.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toHaveText("Layar panggilan dipasangkan.");
  await expect(admin.getByTestId("devices")).toContainText("Layar ruang tunggu");
  await expect(admin.getByTestId("devices")).toContainText("Layar panggilan");
  // The display collects its token and shows the board.
  await expect(display.getByTestId("loket-cell-1")).toBeVisible({ timeout: 20_000 });
  await expect(display.getByTestId("sync-chip")).toHaveText(/Terhubung$/, { timeout: 20_000 });

  // A new officer account, made in the form; a too-short password is explained first.
  const staff = admin.getByTestId("staff-form");
  await staff.locator("input[name=new_username]").fill("petugas.dua");
  await staff.locator("input[name=new_password]").fill("pendek");
  await staff.locator("button[type=submit]").click();
  await expect(admin.getByTestId("admin-message")).toContainText("minimal 10");
  await staff.locator("input[name=new_password]").fill(PASSWORD);
  await staff.locator("button[type=submit]").click();
  await expect(admin.getByTestId("staff")).toContainText("petugas.dua");
  await expect(admin.getByTestId("audit")).toContainText("memasangkan perangkat");
  await expect(admin.getByTestId("audit")).toContainText("membuat akun");
  await admin.screenshot({ path: join(shotsDir(), "admin-tablet.png"), fullPage: true });

  // Revoked: the display's sync stops and it asks to be paired again.
  await admin.getByTestId("devices").getByRole("button", { name: "Cabut" }).click();
  await expect(admin.getByTestId("devices")).toContainText("Dicabut");
  // At once: the server ends its stream, and the display's pull is refused.
  await expect(display.getByTestId("pairing-code")).toBeVisible({ timeout: 5_000 });

  expect(displayCsp).toEqual([]);
  expect(adminCsp).toEqual([]);
  await displayCtx.close();
  await adminCtx.close();
});

test("a counter asks an officer to sign in, and signs out", async ({ page }) => {
  const csp = watchCsp(page);
  await server.createStaff("petugas", "officer");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}/counter`);
  const form = page.getByTestId("sign-in");
  await expect(form).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: join(shotsDir(), "counter-sign-in-tablet.png") });
  await form.locator("input[name=username]").fill("petugas");
  await form.locator("input[name=password]").fill("bukan-sandinya");
  await form.locator("button[type=submit]").click();
  await expect(form.getByRole("alert")).toContainText("salah");
  await form.locator("input[name=password]").fill(PASSWORD);
  await form.locator("button[type=submit]").click();
  await expect(page.getByTestId("officer")).toHaveText("petugas");
  await expect(page.getByTestId("loket-1")).toBeVisible();
  await page.getByRole("button", { name: "Keluar" }).click();
  await expect(page.getByTestId("sign-in")).toBeVisible();
  expect(csp).toEqual([]);
});

test("a disabled officer's open counter is signed out at once; a reset password is changed in /admin first", async ({ browser }) => {
  await server.createStaff("ani", "officer");
  const counterCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const counter = await counterCtx.newPage();
  await counter.goto(`${server.url}/counter`);
  await signIn(counter, "ani");
  await expect(counter.getByTestId("officer")).toHaveText("ani");

  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const admin = await adminCtx.newPage();
  await admin.goto(`${server.url}/admin`);
  await signInAdmin(admin);
  const row = admin.getByTestId("staff-ani");
  await row.getByTestId("disable").click();
  await expect(row.locator(".badge")).toHaveText("Nonaktif");
  await expect(admin.getByTestId("audit")).toContainText("menonaktifkan akun");

  // The counter learns it at once: its stream ends with the session, and it asks to sign in.
  const form = counter.getByTestId("sign-in");
  await expect(form).toBeVisible({ timeout: 5_000 });
  await form.locator("input[name=username]").fill("ani");
  await form.locator("input[name=password]").fill(PASSWORD);
  await form.locator("button[type=submit]").click();
  await expect(form.getByRole("alert")).toHaveText("Akun ini dinonaktifkan. Hubungi admin kantor.");

  // Enabled again, with a temporary password read off the admin's screen.
  await row.getByTestId("enable").click();
  await expect(row.locator(".badge")).toHaveCount(0);
  await row.getByTestId("reset-password").click();
  const message = admin.getByTestId("admin-message");
  await expect(message).toContainText("Kata sandi sementara untuk ani:");
  const temporary = /ani: ([a-z0-9]{12}) —/.exec((await message.textContent())!)![1];
  await admin.screenshot({ path: join(shotsDir(), "admin-accounts-tablet.png"), fullPage: true });

  await form.locator("input[name=password]").fill(temporary);
  await form.locator("button[type=submit]").click();
  await expect(form.getByRole("alert")).toContainText("Buka /admin di tablet ini");
  // /admin on the same tablet asks for the new password before anything else.
  await counter.goto(`${server.url}/admin`);
  const change = counter.getByTestId("password-form");
  await expect(change).toContainText("kata sandi sementara");
  await change.locator("input[name=current_password]").fill(temporary);
  await change.locator("input[name=new_password_own]").fill("kata-sandi-ani-baru");
  await change.locator("button[type=submit]").click();
  await expect(counter.getByTestId("admin-message")).toHaveText("Kata sandi sudah diganti.");
  await expect(counter.getByTestId("admin-user")).toContainText("ani");

  await counter.goto(`${server.url}/counter`);
  // Still signed in from /admin, now with a password of its own: the counter works.
  await expect(counter.getByTestId("officer")).toHaveText("ani", { timeout: 30_000 });
  await counterCtx.close();
  await adminCtx.close();
});

test("an officer assigned to a loket in /admin is offered only that loket at the counter", async ({ browser }) => {
  // A server of its own: sign-ins are limited per address, and this file's other tests
  // sign in from the same one.
  const server = await Server.start();
  await server.admin();
  await server.createStaff("komang", "officer");
  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const admin = await adminCtx.newPage();
  await admin.goto(`${server.url}/admin`);
  await signInAdmin(admin);
  const field = admin.getByTestId("staff-komang").locator("input[name=staff-lokets]");
  // A mistyped list is named and not stored.
  await field.fill("2, dua");
  await field.press("Tab");
  await expect(admin.getByTestId("admin-message")).toHaveText("Loket ditulis sebagai angka 1–99 dipisah koma, misalnya 1, 2.");
  await field.fill("2");
  await field.press("Tab");
  await expect(admin.getByTestId("admin-message")).toHaveText("Perubahan akun disimpan.");
  await expect(admin.getByTestId("audit")).toContainText("mengubah loket petugas");

  const counter = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await counter.goto(`${server.url}/counter`);
  await signIn(counter, "komang");
  await expect(counter.getByTestId("loket-2")).toBeVisible();
  await expect(counter.getByTestId("loket-1")).toHaveCount(0);
  await counter.getByTestId("loket-2").click();
  await expect(counter.getByTestId("call-next")).toBeVisible();
  await adminCtx.close();
  await server.stop();
});

test("an admin pastes next year's holidays; a mistyped line is named, not stored", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.url}/admin`);
  await signInAdmin(page);
  const form = page.getByTestId("holidays-form");
  const area = form.locator("textarea");
  await expect(area).toHaveValue(""); // this server's catalogue has none
  await area.fill("2027-01-01 Tahun Baru 2027 Masehi\n2027-3-09 Hari Suci Nyepi\n");
  await form.locator("button[type=submit]").click();
  await expect(page.getByTestId("admin-message")).toContainText("Baris 2");
  await area.fill("2027-01-01 Tahun Baru 2027 Masehi\n2027-03-09\tHari Suci Nyepi\n");
  await form.locator("button[type=submit]").click();
  await expect(page.getByTestId("admin-message")).toHaveText("Hari libur disimpan: 2 hari.");
  await expect(area).toHaveValue("2027-01-01 Tahun Baru 2027 Masehi\n2027-03-09 Hari Suci Nyepi\n");
  const catalogue = await (await fetch(`${server.url}/api/catalogue`)).json();
  expect(catalogue.calendar.holidays.map((h: { date: string }) => h.date)).toEqual(["2027-01-01", "2027-03-09"]);
});

// A supervisor's report in the admin page, in real Chromium against the real server: a
// short day at the office (two tickets, one served to the hand-over, one absent), then
// the report's figures, its charts, a CSV download that carries the table's numbers, and
// the print layout on A4.
import { test, expect, Page, Browser } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Server, issue, openDevice, shotsDir, signInAdmin } from "./harness";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

const TABLET = { width: 1280, height: 800 };

/** Every path the kiosk's page requested. */
const kioskLoads: string[] = [];

async function device(browser: Browser, path: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: TABLET })).newPage();
  if (path === "/kiosk") page.on("request", (r) => kioskLoads.push(new URL(r.url()).pathname));
  await openDevice(server, page, path);
  return page;
}

test("a supervisor reads the day's report, downloads a table as CSV and prints it on A4", async ({ browser }) => {
  const kiosk = await device(browser, "/kiosk");
  await expect(kiosk.getByTestId("service-legalisir-ktp-el")).toBeVisible();
  const first = await issue(kiosk);
  await kiosk.getByTestId("done").click();
  const second = await issue(kiosk);
  await kiosk.getByTestId("done").click();

  const counter = await device(browser, "/counter");
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("queue-row")).toHaveCount(2);
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(first.number);
  await counter.getByTestId("start").click();
  await counter.getByTestId("req-ktp-el-asli").check();
  await counter.getByTestId("req-fotokopi-ktp-el").check();
  await counter.getByTestId("accept").click();
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(second.number);
  await counter.getByTestId("no-show").click();
  await counter.getByTestId("tab-accepted").click();
  await counter.getByTestId("mark-ready").click();
  await counter.getByTestId("call-pickup").click();
  await counter.getByTestId("hand-over-file").click();
  await expect(counter.getByTestId("file-row")).toHaveCount(0);

  await server.createStaff("kepala", "supervisor");
  const ctx = await browser.newContext({ viewport: TABLET, acceptDownloads: true });
  const admin = await ctx.newPage();
  const adminLoads: string[] = [];
  admin.on("request", (r) => adminLoads.push(new URL(r.url()).pathname));
  await admin.goto(`${server.url}/admin`);
  await signInAdmin(admin, "kepala");

  // The report opens on this month, counted by the server from the counter's actions.
  const report = admin.getByTestId("report");
  await expect(report.getByTestId("tile-issued")).toHaveText("2", { timeout: 20_000 });
  await expect(report.getByTestId("tile-served")).toHaveText("1");
  await expect(report.getByTestId("tile-on-time")).toHaveText("100,0 %");
  const services = report.getByTestId("table-services");
  await expect(services.locator("tr.total td").nth(1)).toHaveText("2");
  await expect(report.getByTestId("table-officers")).toContainText("petugas");
  await expect(report.getByTestId("table-lokets")).toContainText("Loket 1");
  // Three charts drawn as SVG; the hours chart has a bar of two tickets.
  for (const id of ["chart-hours", "chart-waits", "chart-daily"]) {
    await expect(report.getByTestId(id).locator("svg rect").first()).toBeAttached();
  }
  const tallest = await report.getByTestId("chart-hours").locator("rect title").allTextContents();
  expect(tallest.map(Number).reduce((a, b) => a + b, 0)).toBe(2);
  await admin.screenshot({ path: join(shotsDir(), "admin-report-tablet.png"), fullPage: true });
  // The admin page runs on its own bundle; the devices' bundle never carries it.
  expect(adminLoads.some((p) => /^\/admin\/pkg\/admin\..*\.wasm$/.test(p))).toBe(true);
  expect(adminLoads.filter((p) => p.startsWith("/pkg/") && !p.endsWith(".css"))).toEqual([]);
  expect(kioskLoads.some((p) => /^\/pkg\/antrean\..*\.wasm$/.test(p))).toBe(true);
  expect(kioskLoads.filter((p) => p.startsWith("/admin/") || p.startsWith("/citizen/"))).toEqual([]);

  // The CSV of the services table carries the same total as the page.
  const [download] = await Promise.all([
    admin.waitForEvent("download"),
    report.getByTestId("csv-services").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^laporan-services-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const total = csv.split("\r\n").find((l) => l.startsWith("Jumlah;"))!.split(";");
  const pageTotal = (await services.locator("tr.total td").allTextContents()).map((s) => s.trim());
  expect(total).toEqual(pageTotal);

  // A bad period is said in words, and nothing is asked of the server.
  const form = report.getByTestId("report-form");
  await form.locator("input[name=from]").fill("2026-12-31");
  await form.locator("input[name=to]").fill("2026-12-01");
  await form.locator("button[type=submit]").click();
  await expect(report.getByRole("alert")).toHaveText("Tanggal akhir harus sama dengan atau sesudah tanggal awal.");

  // Printed, the page is the report alone, on A4.
  await admin.reload();
  await expect(admin.getByTestId("tile-issued")).toHaveText("2", { timeout: 20_000 });
  await admin.emulateMedia({ media: "print" });
  await expect(admin.getByTestId("audit")).toBeHidden();
  await expect(admin.getByTestId("report-form")).toBeHidden();
  await expect(admin.getByTestId("table-services")).toBeVisible();
  const pdf = join(shotsDir(), "admin-report-a4.pdf");
  writeFileSync(pdf, await admin.pdf({ preferCSSPageSize: true, printBackground: true }));
  const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
  expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)/);
  execFileSync("pdftoppm", ["-r", "60", "-png", "-f", "1", "-l", "1", pdf, join(shotsDir(), "admin-report-a4")]);
});

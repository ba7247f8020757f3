// What the thermal printer gets: the kiosk's ticket and the counter's receipt as PDFs on
// 58 and 80 mm rolls, rasterised at 203 dpi in 1 bit (what a thermal head prints), with
// their QR codes read back from the dots.
import { test, expect, Page, Browser } from "@playwright/test";
import { Server, openDevice } from "./harness";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { shotsDir } from "./harness";

let server: Server;
test.beforeAll(async () => {
  server = await Server.start();
});
test.afterAll(async () => {
  await server.stop();
});

const DPI = 203;
const mmToDots = (mm: number) => (mm * DPI) / 25.4;

async function device(browser: Browser, path: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  // The print dialog cannot open headless; the PDFs below are what it would print.
  await page.addInitScript(() => {
    window.print = () => {};
  });
  await openDevice(server, page, path);
  return page;
}

/** Every visible text in print is pure black: a thermal head has no grey. */
async function allTextBlack(page: Page): Promise<string[]> {
  await page.emulateMedia({ media: "print" });
  const grey = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      if (!own || !(el as HTMLElement).getClientRects().length) continue;
      const c = getComputedStyle(el).color;
      if (c !== "rgb(0, 0, 0)") out.push(`${el.textContent!.trim().slice(0, 30)}: ${c}`);
    }
    return out;
  });
  await page.emulateMedia({ media: null });
  return grey;
}

/** The page printed on a roll `mm` wide, as the printer's dots: one page, its QR code. */
async function printed(page: Page, mm: number, name: string): Promise<{ qr: string; pages: number; rightmost: number; width: number }> {
  const dir = mkdtempSync(join(tmpdir(), "antrean-print-"));
  const pdf = join(dir, "out.pdf");
  await page.pdf({ path: pdf, width: `${mm}mm`, height: "300mm", printBackground: false, preferCSSPageSize: false });
  execFileSync("pdftoppm", ["-r", String(DPI), "-mono", "-png", pdf, join(dir, "dots")]);
  const pngs = readdirSync(dir).filter((f) => f.startsWith("dots")).sort();
  const png = PNG.sync.read(readFileSync(join(dir, pngs[0])));
  copyFileSync(join(dir, pngs[0]), join(shotsDir(), `${name}-${mm}mm-203dpi.png`));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  let rightmost = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = png.width - 1; x > rightmost; x--) {
      if (png.data[(y * png.width + x) * 4] < 128) {
        rightmost = x;
        break;
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return { qr: code?.data ?? "", pages: pngs.length, rightmost, width: png.width };
}

test("a priority ticket and its receipt print in black dots on 58 and 80 mm rolls, and their codes scan", async ({ browser }) => {
  const kiosk = await device(browser, "/kiosk");
  await kiosk.getByTestId("service-legalisir-ktp-el").click();
  await kiosk.getByTestId("priority-elderly").click();
  await kiosk.getByTestId("take-number").click();
  await expect(kiosk.getByTestId("ticket-number")).toBeVisible({ timeout: 20_000 });
  await expect(kiosk.getByTestId("ticket-priority")).toHaveText("Prioritas: Lansia");
  const number = (await kiosk.getByTestId("ticket-number").textContent())!.trim();
  const track = `http://${(await kiosk.getByTestId("track-url").textContent())!.trim()}`;

  expect(await allTextBlack(kiosk)).toEqual([]);
  for (const mm of [58, 80]) {
    const p = await printed(kiosk, mm, "ticket");
    expect(p.width).toBeCloseTo(mmToDots(mm), -1);
    expect(p.pages, `the ticket fits one length of ${mm} mm roll`).toBe(1);
    expect(p.qr, `the ${mm} mm ticket's code scans`).toBe(track);
    // Nothing runs off the roll: the right edge's last millimetre is blank.
    expect(p.rightmost).toBeLessThan(p.width - mmToDots(1));
  }

  const counter = await device(browser, "/counter");
  await counter.getByTestId("loket-1").click();
  await expect(counter.getByTestId("queue-row").first()).toContainText(number, { timeout: 20_000 });
  await counter.getByTestId("call-next").click();
  await counter.getByTestId("start").click();
  await counter.getByTestId("req-ktp-el-asli").check();
  await counter.getByTestId("req-fotokopi-ktp-el").check();
  await counter.getByTestId("accept").click();
  await counter.getByTestId("tab-accepted").click();
  await counter.getByTestId("file-row").filter({ hasText: number }).getByTestId("print-receipt").click();
  const slip = counter.getByTestId("print-slip");
  const receipt = (await counter.getByTestId("slip-number").textContent())!.trim();
  // Everything the citizen needs to come back, and to complain.
  for (const line of [
    "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Badung",
    "Pusat Pemerintahan Mangupraja Mandala, Jl. Raya Sempidi, Mengwi, Badung 80351",
    "Telp. 0361 8947979",
    "WITA",
    "RESI PENGAMBILAN",
    `Nomor antrean ${number} (Prioritas: Lansia)`,
    "Berkas diterima: ",
    "Selesai paling lambat: ",
    "1 hari kerja. Waktu dihitung setelah berkas diterima benar dan lengkap",
    "E-mail: disdukcapil@badungkab.go.id",
    "LAPOR!-SP4N: www.lapor.go.id",
  ]) {
    await expect(slip).toContainText(line);
  }
  expect(await allTextBlack(counter)).toEqual([]);
  for (const mm of [58, 80]) {
    const p = await printed(counter, mm, "receipt");
    expect(p.pages, `the receipt fits one length of ${mm} mm roll`).toBe(1);
    expect(p.qr, `the ${mm} mm receipt's code scans`).toBe(receipt);
    expect(p.rightmost).toBeLessThan(p.width - mmToDots(1));
  }
});

// The offline shell on the office LAN. A tablet reaches the server by its LAN address,
// where only HTTPS makes a secure context, and only a secure context gets a service
// worker: over plain HTTP there is no offline kiosk at all. Over HTTPS, in a Chromium
// whose certificate store trusts the office's authority (downloaded from /ca.crt, as the
// README has a tablet do), the kiosk pairs, installs its shell, and prints tracking
// links that a citizen's phone can open (the plain address, not the office's HTTPS).
import { test, expect, chromium } from "@playwright/test";
import { Server, freePort, pair } from "./harness";
import { networkInterfaces, tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  throw new Error("this machine has no LAN address to test HTTPS on");
}

test("on the LAN address the kiosk gets its offline shell over HTTPS with the office's authority, and none over plain HTTP", async () => {
  const ip = lanAddress();
  const tlsPort = await freePort();
  const server = await Server.start({ ANTREAN_TLS_ADDR: `0.0.0.0:${tlsPort}`, ANTREAN_SECURE_COOKIES: "true" }, "0.0.0.0");
  const plainUrl = `http://${ip}:${server.port}`;
  const home = mkdtempSync(join(tmpdir(), "antrean-tablet-"));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    // The tablet's certificate store: Chromium on Linux reads $HOME/.pki/nssdb.
    env: { ...process.env, HOME: home },
  });
  try {
    const plain = await (await browser.newContext()).newPage();
    await plain.goto(`${plainUrl}/kiosk`);
    expect(await plain.evaluate(() => [window.isSecureContext, "serviceWorker" in navigator])).toEqual([false, false]);

    // The authority, from the plain address; installed as a tablet's owner would.
    const authority = await (await fetch(`${server.url}/ca.crt`)).text();
    const pem = join(home, "antrean-ca.crt");
    writeFileSync(pem, authority);
    const db = join(home, ".pki", "nssdb");
    mkdirSync(db, { recursive: true });
    execFileSync("certutil", ["-d", `sql:${db}`, "-N", "--empty-password"]);
    execFileSync("certutil", ["-d", `sql:${db}`, "-A", "-t", "C,,", "-n", "antrean", "-i", pem]);

    const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await kiosk.goto(`https://${ip}:${tlsPort}/kiosk`);
    expect(await kiosk.evaluate(() => window.isSecureContext)).toBe(true);
    await pair(server, kiosk);
    await kiosk.waitForFunction(async () => {
      if (!navigator.serviceWorker.controller) return false;
      const name = (await caches.keys()).find((k) => k.startsWith("antrean-shell-"));
      return !!name && !!(await (await caches.open(name)).match("/kiosk"));
    }, null, { timeout: 30_000 });
    // A ticket's link is for a phone: the plain address.
    await kiosk.getByTestId("service-legalisir-ktp-el").click();
    await kiosk.getByTestId("take-number").click();
    await expect(kiosk.getByTestId("ticket-number")).toBeVisible();
    await expect(kiosk.getByTestId("track-url")).toHaveText(new RegExp(`^${ip.replace(/\./g, "\\.")}:${server.port}/t/`));
  } finally {
    await browser.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
});

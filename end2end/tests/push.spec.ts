// Web Push end to end: the citizen taps "Beri tahu saya" on the ticket's page and closes
// it; a counter calls the number; the real server encrypts the message for the phone's
// subscription and posts it to a push service of our own, which decrypts it (RFC 8291)
// and, as the browser's push service would, has Chromium hand it to the page's real
// service worker (the DevTools protocol can); the worker shows the notification.
//
// What stands in for a third party: Chromium's push service is Google's, out of reach
// here, so `pushManager.subscribe` hands out a subscription at our push service (keys
// made by this test, as a browser would) instead.
import { test, expect } from "@playwright/test";
import { createServer, Server as HttpServer } from "node:http";
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";
import { AddressInfo } from "node:net";
import { join } from "node:path";
import { Server, issue, openDevice, shotsDir } from "./harness";

const TABLET = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 640 };

type Got = { path: string; headers: Record<string, unknown>; body: Buffer };
const got: Got[] = [];
let push: HttpServer;
let origin: string;
let server: Server;

test.beforeAll(async () => {
  push = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      got.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => push.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(push.address() as AddressInfo).port}`;
  server = await Server.start({ ANTREAN_PUSH_SERVICES: origin });
});
test.afterAll(async () => {
  await server.stop();
  push.close();
});

/** The phone's subscription: its key pair and secret, as the browser would make them. */
const phoneKey = createECDH("prime256v1");
phoneKey.generateKeys();
const phoneAuth = randomBytes(16);

/** Opens a message as the phone's browser does (RFC 8291, `aes128gcm`). */
function decrypt(body: Buffer): any {
  const salt = body.subarray(0, 16);
  const idLen = body[20];
  const serverKey = body.subarray(21, 21 + idLen);
  const record = body.subarray(21 + idLen);
  const secret = phoneKey.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from("WebPush: info\0"), phoneKey.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync("sha256", secret, phoneAuth, info, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const d = createDecipheriv("aes-128-gcm", cek, nonce);
  d.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
  return JSON.parse(plain.subarray(0, plain.lastIndexOf(2)).toString());
}

test("a citizen who taps 'Beri tahu saya' is notified of the call with the ticket's page closed", async ({ browser }) => {
  const kiosk = await (await browser.newContext({ viewport: TABLET })).newPage();
  await openDevice(server, kiosk, "/kiosk");
  await expect(kiosk.getByTestId("sync-chip")).toContainText("Terhubung", { timeout: 20_000 });
  const t = await issue(kiosk);

  const phoneCtx = await browser.newContext({ viewport: PHONE });
  await phoneCtx.grantPermissions(["notifications"], { origin: server.url });
  await phoneCtx.addInitScript(
    ({ endpoint, p256dh, auth }) => {
      PushManager.prototype.subscribe = async function () {
        const json = { endpoint, expirationTime: null, keys: { p256dh, auth } };
        return { endpoint, toJSON: () => json } as unknown as PushSubscription;
      };
    },
    {
      endpoint: `${origin}/push/phone`,
      p256dh: phoneKey.getPublicKey().toString("base64url"),
      auth: phoneAuth.toString("base64url"),
    },
  );
  const phone = await phoneCtx.newPage();
  await phone.goto(t.track);
  await expect(phone.getByTestId("citizen-number")).toHaveText(t.number);
  await phone.getByTestId("notify").scrollIntoViewIfNeeded();
  await phone.screenshot({ path: join(shotsDir(), "citizen-notify-phone.png") });
  await phone.getByTestId("notify-me").click();
  await expect(phone.getByTestId("notify-on")).toBeVisible();
  await expect(phone.getByTestId("notify-on")).toHaveText("Notifikasi aktif untuk tiket ini.");

  // Another page of the office's site stays open in the phone's browser (the DevTools
  // session needs one); the ticket's page is closed.
  const other = await phoneCtx.newPage();
  const cdp = await phoneCtx.newCDPSession(other);
  const registrations = new Map<string, string>();
  cdp.on("ServiceWorker.workerRegistrationUpdated", (e: any) => {
    for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send("ServiceWorker.enable");
  await other.goto(`${server.url}/api/health`);
  await phone.close();
  await expect.poll(() => registrations.get(`${server.url}/t/`)).toBeTruthy();

  // The counter calls the number.
  const counter = await (await browser.newContext({ viewport: TABLET })).newPage();
  await openDevice(server, counter, "/counter");
  await counter.getByTestId("loket-1").click();
  await counter.getByTestId("call-next").click();
  await expect(counter.getByTestId("current-number")).toHaveText(t.number);

  // Our push service received one message, sealed for the phone alone.
  await expect.poll(() => got.length, { timeout: 10_000 }).toBe(1);
  const m = got[0];
  expect(m.path).toBe("/push/phone");
  expect(m.headers["content-encoding"]).toBe("aes128gcm");
  expect(String(m.headers["authorization"])).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
  expect(m.body.toString("latin1")).not.toContain("Loket");
  const message = decrypt(m.body);
  expect(message).toEqual({
    title: `Antrean ${t.number}`,
    body: "Silakan menuju Loket 1",
    url: new URL(t.track).pathname,
    tag: "antrean-called",
  });

  // The push service hands it to the phone's browser; its worker shows it.
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin: server.url,
    registrationId: registrations.get(`${server.url}/t/`)!,
    data: JSON.stringify(message),
  });
  await expect
    .poll(
      () =>
        other.evaluate(async () => {
          const r = await navigator.serviceWorker.getRegistration("/t/");
          const shown = r ? await r.getNotifications() : [];
          return shown.map((n) => `${n.title} | ${n.body} | ${n.tag} | ${(n.data as any)?.url}`);
        }),
      { timeout: 10_000 },
    )
    .toEqual([`Antrean ${t.number} | Silakan menuju Loket 1 | antrean-called | ${new URL(t.track).pathname}`]);
});

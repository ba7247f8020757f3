// Starts the real server binary (built beforehand by the test command; the harness builds
// nothing) on a free port with a temporary data directory, and stops it.
import { expect } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** The seed catalogue with an office open all day, every day (00:00–23:59:59 WITA) and no
 * holidays: the tests run at any hour of any date, and a day that closed in the middle of
 * one would end its tickets as not served. `edit` changes the seed text first (e.g. a
 * daily quota). */
export function alwaysOpenCatalogue(edit: (seed: string) => string = (s) => s): string {
  const seed = readFileSync(join(__dirname, "..", "..", "server", "seed", "catalogue.toml"), "utf8");
  let inHoliday = false;
  const days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  const text = edit(seed)
    .split("\n")
    .filter((l) => !days.some((d) => l.startsWith(`${d} = `)))
    // A holiday: its header and the keys under it.
    .filter((l) => {
      if (l === "[[calendar.holidays]]") return !(inHoliday = true);
      if (inHoliday && l.includes(" = ")) return false;
      inHoliday = false;
      return true;
    })
    .flatMap((l) => (l.startsWith("zone_name = ") ? [l, ...days.map((d) => `${d} = { open = "00:00:00", close = "23:59:59" }`)] : [l]))
    .join("\n");
  const path = join(catalogueDir(), `catalogue-${++catalogues}.toml`);
  writeFileSync(path, text);
  return path;
}

/** One directory per test process for the catalogues it writes (made again if something
 * removed it), removed when the process exits. */
let catalogues = 0;
let cleanupSet = false;
function catalogueDir(): string {
  const dir = join(tmpdir(), `antrean-catalogue-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  if (!cleanupSet) {
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    cleanupSet = true;
  }
  return dir;
}

export class Server {
  private child?: ChildProcess;
  readonly dataDir: string;
  readonly port: number;
  log = "";
  /** The first-admin token the server printed on its first start. */
  setupToken?: string;
  private adminSession?: Session;

  private readonly env: Record<string, string>;

  /** The address the server listens on (the tests reach it at 127.0.0.1 either way). */
  private readonly host: string;

  private constructor(port: number, env: Record<string, string>, host: string) {
    this.port = port;
    this.env = env;
    this.host = host;
    this.dataDir = mkdtempSync(join(tmpdir(), "antrean-e2e-"));
  }

  /** Starts the binary; `env` adds settings (e.g. `ANTREAN_CATALOGUE`); `host` is the
   * address it listens on (`0.0.0.0` to be reached on the machine's LAN address too). */
  static async start(env: Record<string, string> = {}, host = "127.0.0.1"): Promise<Server> {
    const s = new Server(await freePort(), env, host);
    await s.up();
    return s;
  }

  /** The server process id (for memory readings). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the binary on the same port and data directory. */
  async up(): Promise<void> {
    const bin = process.env.ANTREAN_BIN;
    const site = process.env.ANTREAN_SITE_ROOT;
    if (!bin || !site) throw new Error("ANTREAN_BIN and ANTREAN_SITE_ROOT must point at the built server and site");
    this.child = spawn(bin, [], {
      env: {
        ...process.env,
        ANTREAN_ADDR: `${this.host}:${this.port}`,
        ANTREAN_DATA_DIR: this.dataDir,
        LEPTOS_SITE_ROOT: site,
        LEPTOS_OUTPUT_NAME: "antrean",
        RUST_LOG: "info",
        ANTREAN_CATALOGUE: alwaysOpenCatalogue(),
        ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stderr?.on("data", (d) => (this.log += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.log}`)), 60_000);
      this.child!.stdout?.on("data", (d) => {
        const out = d.toString();
        const m = out.match(/setup token: ([0-9a-f]+)/);
        if (m) this.setupToken = m[1];
        if (out.includes("listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.child!.on("exit", (code) => reject(new Error(`server exited (${code}):\n${this.log}`)));
    });
  }

  /** Stops the server as a crash would (SIGKILL) or politely (SIGTERM). */
  async down(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill(signal);
    });
    this.child = undefined;
  }

  /** The first admin: created with the printed setup token, or signed in after a restart. */
  async admin(): Promise<Session> {
    if (this.adminSession) return this.adminSession;
    const [path, body] = this.setupToken
      ? ["/api/auth/setup", { setup_token: this.setupToken, username: "admin", password: PASSWORD }]
      : ["/api/auth/login", { username: "admin", password: PASSWORD }];
    const r = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    this.adminSession = await sessionFrom(r);
    return this.adminSession;
  }

  /** A JSON API call with a staff session. */
  async api(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie: session.cookie, "x-csrf-token": session.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  async createStaff(username: string, role: "officer" | "supervisor" | "admin"): Promise<void> {
    const r = await this.api(await this.admin(), "POST", "/api/admin/staff", { username, role, password: PASSWORD });
    if (r.status !== 201 && r.status !== 409) throw new Error(`create staff: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** The password of every account the tests create. */
export const PASSWORD = "kata-sandi-uji-1";

async function sessionFrom(r: Response): Promise<Session> {
  if (!r.ok) throw new Error(`sign-in failed: ${r.status} ${await r.text()}`);
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0];
  const body = await r.json();
  return { cookie, csrf: body.csrf };
}

/**
 * Opens a device page and sets the device up as in the field: a kiosk or display shows a
 * pairing code that the admin confirms (through the API, as the admin page does); on a
 * counter an officer signs in through the form.
 */
export async function openDevice(
  server: Server,
  page: import("@playwright/test").Page,
  path: string,
  label = "uji",
): Promise<void> {
  await page.goto(`${server.url}${path}`);
  if (path.startsWith("/counter")) {
    await server.createStaff("petugas", "officer");
    await signIn(page, "petugas");
  } else {
    await pair(server, page, label);
  }
}

/** Confirms the pairing code the page shows. */
export async function pair(server: Server, page: import("@playwright/test").Page, label = "uji"): Promise<void> {
  const codeEl = page.getByTestId("pairing-code");
  await codeEl.waitFor({ timeout: 30_000 });
  const code = (await codeEl.textContent())!.replace(/\D/g, "");
  const admin = await server.admin();
  const r = await server.api(admin, "POST", "/api/admin/pairing/confirm", { code, label });
  if (r.status !== 200) throw new Error(`pairing: ${r.status} ${JSON.stringify(r.body)}`);
  await codeEl.waitFor({ state: "detached", timeout: 30_000 });
}

/** Signs an officer in through the counter's form. */
export async function signIn(page: import("@playwright/test").Page, username: string): Promise<void> {
  const form = page.getByTestId("sign-in");
  await form.waitFor({ timeout: 30_000 });
  await form.locator("input[name=username]").fill(username);
  await form.locator("input[name=password]").fill(PASSWORD);
  await form.locator("button[type=submit]").click();
  await form.waitFor({ state: "detached", timeout: 30_000 });
}

/** Signs in on /admin's form (the page already at /admin). */
export async function signInAdmin(page: import("@playwright/test").Page, username = "admin"): Promise<void> {
  const login = page.getByTestId("admin-login");
  await login.locator("input[name=username]").fill(username);
  await login.locator("input[name=password]").fill(PASSWORD);
  await login.locator("button[type=submit]").click();
}

/** Takes a number for Legalisir KTP-el on a kiosk page and reads the ticket screen. */
export async function issue(kiosk: import("@playwright/test").Page): Promise<{ number: string; track: string }> {
  await kiosk.getByTestId("service-legalisir-ktp-el").click();
  await kiosk.getByTestId("take-number").click();
  // The ticket screen is in the page all along, hidden and empty until a ticket is stored.
  await expect(kiosk.getByTestId("ticket-number")).toBeVisible();
  const number = (await kiosk.getByTestId("ticket-number").textContent())!.trim();
  const track = (await kiosk.getByTestId("track-url").textContent())!.trim();
  return { number, track: `http://${track}` };
}

export function shotsDir(): string {
  const d = join(__dirname, "..", "test-results", "screens");
  mkdirSync(d, { recursive: true });
  return d;
}

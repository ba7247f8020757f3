// Starts the real server binary (built beforehand by the test command; the harness builds
// nothing) on a free port with a temporary data directory, and stops it.
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
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

export class Server {
  private child?: ChildProcess;
  readonly dataDir: string;
  readonly port: number;
  log = "";

  private constructor(port: number) {
    this.port = port;
    this.dataDir = mkdtempSync(join(tmpdir(), "antrean-e2e-"));
  }

  static async start(): Promise<Server> {
    const s = new Server(await freePort());
    await s.up();
    return s;
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
        ANTREAN_ADDR: `127.0.0.1:${this.port}`,
        ANTREAN_DATA_DIR: this.dataDir,
        LEPTOS_SITE_ROOT: site,
        LEPTOS_OUTPUT_NAME: "antrean",
        RUST_LOG: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stderr?.on("data", (d) => (this.log += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.log}`)), 60_000);
      this.child!.stdout?.on("data", (d) => {
        if (d.toString().includes("listening on")) {
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

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function shotsDir(): string {
  const d = join(__dirname, "..", "test-results", "screens");
  mkdirSync(d, { recursive: true });
  return d;
}

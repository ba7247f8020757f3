// Devices simulated over the HTTP API for the benchmarks: mutations in the exact wire
// shape the app sends (see app/src/domain/mutation.rs), paired or signed in like the real
// devices.
import { randomBytes, randomUUID } from "node:crypto";
import { Server, Session } from "../tests/harness";

/** A tracking token: 16 random bytes as 22 base64url characters. */
export function trackingToken(): string {
  return randomBytes(16).toString("base64url");
}

export type Cred = { bearer: string } | { session: Session };

export class DeviceSim {
  readonly id = randomUUID();
  private next = 1;
  private counter = 0;
  cred?: Cred;
  series?: number;
  /** A counter's loket, as registered. */
  loket?: number;

  mutation(kind: Record<string, unknown>, wallMs = Date.now()) {
    this.counter += 1;
    return { client_id: this.id, mutation_id: this.next++, at: { wall_ms: wallMs, counter: this.counter, client: this.id }, ...kind };
  }

  /** Issues ticket `n` of this kiosk's own series (A{series}-nnn). */
  issue(n: number): { m: object; ticket: string; number: string; token: string } {
    const ticket = randomUUID();
    const number = `A${this.series}-${String(n).padStart(3, "0")}`;
    const token = trackingToken();
    const m = this.mutation({
      kind: "issue_ticket",
      ticket: { id: ticket, number, service: "legalisir-ktp-el", priority: "regular" },
      token,
    });
    return { m, ticket, number, token };
  }

  command(ticket: string, command: Record<string, unknown>) {
    return this.mutation({ kind: "ticket", ticket, command, loket: this.loket });
  }
}

function headers(cred?: Cred): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json" };
  if (cred && "bearer" in cred) h.authorization = `Bearer ${cred.bearer}`;
  if (cred && "session" in cred) {
    h.cookie = cred.session.cookie;
    h["x-csrf-token"] = cred.session.csrf;
  }
  return h;
}

export async function call(server: Server, method: string, path: string, cred?: Cred, body?: unknown): Promise<any> {
  const r = await fetch(`${server.url}${path}`, { method, headers: headers(cred), body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Pairs a simulated kiosk or display as the admin page does. */
export async function pairSim(server: Server, dev: DeviceSim, role: "kiosk" | "display"): Promise<void> {
  const offer = await call(server, "POST", "/api/pairing", undefined, { client_id: dev.id, role });
  await call(server, "POST", "/api/admin/pairing/confirm", { session: await server.admin() }, { code: offer.code, label: "bench" });
  const claim = await call(server, "POST", "/api/pairing/claim", undefined, { pairing_id: offer.pairing_id });
  dev.cred = { bearer: claim.token };
  dev.series = claim.series ?? undefined;
}

/** Registers a simulated counter at a loket under a signed-in officer. */
export async function counterSim(server: Server, dev: DeviceSim, session: Session, loket = 1): Promise<void> {
  dev.cred = { session };
  dev.loket = loket;
  await call(server, "POST", "/api/devices", dev.cred, { client_id: dev.id, role: "counter", loket });
}

export async function push(server: Server, dev: DeviceSim, mutations: object[]): Promise<any> {
  return call(server, "POST", "/api/sync/push", dev.cred, { client_id: dev.id, mutations });
}

/** Median, percentiles and spread of a sample, in its unit. */
export function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), min: s[0], max: s[s.length - 1] };
}

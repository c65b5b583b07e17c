// For backends that do not gate their own logons (Windows; Samba's does, in logon-gate.ts): the
// first read of a target is also its logon. Shares of one server probed together wait for the
// first one's logon, so that a wrong password costs one failed logon per server (lockout counters),
// not one per share; once it passed, each share's round trip starts alongside its read.
import { SESSION_STAGES } from './logon-gate.js';
import type { RoundTripResult, SecurityRead, SmbBackend, SmbFailure, SmbTarget } from './types.js';


/** The first logon per server, account (and password, as a hash) and backend, and whether it failed at the session. */
interface FirstLogon {
  failure: Promise<SmbFailure | undefined>;
  settledAt?: number;
}
const firstLogons = new Map<string, FirstLogon>();
/** Only shares probed together (in flight, or just after) lean on a first logon: a later run logs on afresh. */
const FIRST_LOGON_REUSE_MS = 10_000;

/** Forgets the first logons: what a new process starts with (benchmarks measure cold runs). */
export function forgetFirstLogons(): void {
  firstLogons.clear();
}

/** Reads the target's security (the logon), after the server's first logon when another share has one under way. */
export async function readFirst(backend: SmbBackend, target: SmbTarget, folder: string, user: string): Promise<{ sec: SecurityRead; early?: Promise<RoundTripResult> }> {
  // The password is part of the key, in memory only like the credential itself.
  const key = `${target.server.toLowerCase()}\u0000${target.credential?.userName.toLowerCase() ?? ''}\u0000${target.credential?.password ?? ''}\u0000${backend.name}`;
  const found = firstLogons.get(key);
  const prior = found && (found.settledAt === undefined || Date.now() - found.settledAt < FIRST_LOGON_REUSE_MS) ? found : undefined;
  if (!prior) {
    // Registered before any await, so that the shares arriving next wait for this one.
    let settle!: (f: SmbFailure | undefined) => void;
    const entry: FirstLogon = { failure: new Promise((r) => (settle = r)) };
    firstLogons.set(key, entry);
    let sec: SecurityRead | undefined;
    try {
      sec = await backend.readSecurity(target, folder);
      return { sec };
    } finally {
      entry.settledAt = Date.now();
      settle(sec?.failure && SESSION_STAGES.has(sec.failure.stage) ? sec.failure : undefined);
    }
  }
  const logonFailure = await prior.failure;
  if (logonFailure) {
    return { sec: { ok: false, failure: { ...logonFailure, message: `${logonFailure.message}; the first logon to ${target.server} as ${user} in this run, not tried again for this share` } } };
  }
  let early: Promise<RoundTripResult> | undefined;
  if (backend.concurrentCalls) {
    early = backend.roundTrip(target, folder);
    early.catch(() => undefined); // awaited by the caller, or superseded when the folder turns out missing
  }
  return { sec: await backend.readSecurity(target, folder), ...(early ? { early } : {}) };
}

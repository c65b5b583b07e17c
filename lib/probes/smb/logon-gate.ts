// One logon is tried first per file server, account and password. Samba tools started for them
// while that logon is unproven do start (loading Samba's libraries is most of a call's cost) but
// wait for the password on PASSWD_FD; once the first session is up they get it, and if the first
// logon failed they are killed unstarted and report its failure. A wrong password so costs one
// failed logon per server (lockout counters), not one per share or per call, and costs no time.
import type { SmbFailure, SmbTarget } from './types.js';

/** Failures that are the session's (every call to the server would meet them), not one object's. */
export const SESSION_STAGES = new Set<SmbFailure['stage']>(['connect', 'timeout', 'auth']);

interface Gate {
  result: Promise<SmbFailure | undefined>;
  settle: (f: SmbFailure | undefined) => void;
  settledAt?: number;
  failure?: SmbFailure;
  waiting: number;
}

const gates = new Map<string, Gate>();
/** A failed first logon answers for the calls of one run (in flight, or just after); later ones try afresh. */
const FAILED_LOGON_REUSE_MS = 10_000;
/** Calls that may load while they wait; more would only slow the first one down on a small machine. */
const MAX_PRESTARTED = 3;

export type Ticket =
  /** This call's logon is the first: report how it went (early, once the session is proven). */
  | { role: 'first'; settle: (f: SmbFailure | undefined) => void }
  /** Another call's logon is under way: wait for it (start now and hold the password when prestart). */
  | { role: 'wait'; result: Promise<SmbFailure | undefined>; prestart: boolean }
  /** A session to the server was proven in this run. */
  | { role: 'open' }
  /** The first logon failed at the session: do not try again. */
  | { role: 'failed'; failure: SmbFailure };

function keyOf(target: SmbTarget): string | undefined {
  const c = target.credential;
  // Kept in memory only, like the credential itself.
  return c ? `${target.server.toLowerCase()}\u0000${c.userName.toLowerCase()}\u0000${c.password}` : undefined;
}

/**
 * This call's place behind the server's first logon; calls without a password (Kerberos) are not
 * gated. A `long` call (a whole smbclient session) always starts loading: it finishes last.
 */
export function logonTicket(target: SmbTarget, long = false): Ticket {
  const key = keyOf(target);
  if (key === undefined) return { role: 'open' };
  const g = gates.get(key);
  if (g && g.settledAt !== undefined) {
    if (!g.failure) return { role: 'open' };
    if (Date.now() - g.settledAt < FAILED_LOGON_REUSE_MS) return { role: 'failed', failure: g.failure };
  }
  if (g && g.settledAt === undefined) {
    const prestart = long || g.waiting < MAX_PRESTARTED;
    if (prestart && !long) g.waiting++;
    return { role: 'wait', result: g.result, prestart };
  }
  let settle!: (f: SmbFailure | undefined) => void;
  const gate: Gate = { result: new Promise((r) => (settle = r)), settle: () => undefined, waiting: 0 };
  gate.settle = (f) => {
    if (gate.settledAt !== undefined) return;
    gate.settledAt = Date.now();
    if (f && SESSION_STAGES.has(f.stage)) gate.failure = f;
    settle(gate.failure);
  };
  gates.set(key, gate);
  return { role: 'first', settle: gate.settle };
}

/** Forgets every logon: what a new process starts with (benchmarks measure cold runs). */
export function forgetLogons(): void {
  gates.clear();
}

/** What a call that was not tried reports: the first logon's failure, said to be that. */
export function notTried(f: SmbFailure, target: SmbTarget): SmbFailure {
  return { ...f, message: `${f.message}; the first logon to ${target.server} as ${target.credential?.userName ?? 'this account'} in this run failed, so it was not tried again` };
}

// For backends that do not gate their own logons (Windows; Samba's calls go through the gate in
// runSambaTool): the first read of a target is also its logon, and takes the server's place in
// logon-gate.ts, so that shares of one server probed together wait for it and a wrong password
// costs one failed logon per server (lockout counters), not one per share.
import { logonTicket, notTried } from './logon-gate.js';
import type { SecurityRead, SmbBackend, SmbTarget } from './types.js';

/** Reads the target's security (the logon), after the server's first logon when another share has one under way. */
export async function readFirst(backend: SmbBackend, target: SmbTarget, folder: string): Promise<SecurityRead> {
  const ticket = logonTicket(target);
  if (ticket.role === 'failed') return { ok: false, failure: notTried(ticket.failure, target) };
  if (ticket.role === 'first') {
    let sec: SecurityRead | undefined;
    try {
      sec = await backend.readSecurity(target, folder);
      return sec;
    } finally {
      ticket.settle(sec?.failure);
    }
  }
  if (ticket.role === 'wait') {
    const failure = await ticket.result;
    if (failure) return { ok: false, failure: notTried(failure, target) };
  }
  return backend.readSecurity(target, folder);
}

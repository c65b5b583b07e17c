// DNS and TCP probes shared by the SQL and SMB probes. Both are bounded by a timeout and
// return a CheckRow; neither throws for an environment problem.
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { isIP } from 'node:net';
import { timedCheck, type CheckRow } from './types.js';

export interface ResolveResult {
  ok: boolean;
  addresses: string[];
  error?: string;
}

/** Resolves a host name with the system resolver (what the Lync servers will use), within `timeoutMs`. */
export async function resolveHost(host: string, timeoutMs = 5000): Promise<ResolveResult> {
  if (isIP(host)) return { ok: true, addresses: [host] };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ResolveResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, addresses: [], error: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      lookup(host, { all: true }).then(
        (r) => ({ ok: r.length > 0, addresses: r.map((a) => a.address) }),
        (e: NodeJS.ErrnoException) => ({ ok: false, addresses: [], error: e.code ?? e.message }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function dnsCheck(target: string, host: string, timeoutMs = 5000): Promise<CheckRow> {
  return timedCheck(target, 'Name resolution', async () => {
    const r = await resolveHost(host, timeoutMs);
    return r.ok
      ? { Status: 'Passed', Details: `${host} resolves to ${r.addresses.join(', ')}`, RecommendedAction: '' }
      : {
          Status: 'Failed',
          Details: `${host} does not resolve (${r.error})`,
          RecommendedAction: `Register an A (or AAAA) record for ${host} in DNS, or correct the name.`,
        };
  });
}

export interface TcpResult {
  ok: boolean;
  error?: string;
  /** 'refused', 'timeout', 'unreachable' or the errno code. */
  reason?: string;
}

/** Opens and closes a TCP connection to host:port within `timeoutMs`. */
export function tcpConnect(host: string, port: number, timeoutMs = 5000): Promise<TcpResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: TcpResult) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: 'timeout', error: `no answer within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done({ ok: false, reason: e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? 'error'), error: e.code ?? e.message }),
    );
  });
}

export function tcpCheck(target: string, host: string, port: number, service: string, timeoutMs = 5000): Promise<CheckRow> {
  return timedCheck(target, 'TCP reachability', async () => {
    const r = await tcpConnect(host, port, timeoutMs);
    if (r.ok) return { Status: 'Passed', Details: `${host}:${port} accepts connections`, RecommendedAction: '' };
    return {
      Status: 'Failed',
      Details: `${host}:${port} ${r.reason === 'refused' ? 'refused the connection' : `is not reachable (${r.error})`}`,
      RecommendedAction: `Check that ${service} is running on ${host} and that a firewall allows TCP ${port} from this host.`,
    };
  });
}

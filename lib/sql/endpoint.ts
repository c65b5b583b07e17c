// Where to connect: the port of a named instance comes from the SQL Server Browser (the explanation
// says what the Browser said, and on a miss which instances it does have); a fixed port or a default
// instance needs no lookup. What to do is said in the caller's terms (its parameters, or a store's address).
import { describeInstances, findInstance, queryBrowser } from './browser.js';
import type { NormalizedTarget } from './connect.js';
import type { AdviceTerms, Explanation } from './types.js';

/**
 * `browser` is what the SQL Server Browser lookup found, absent when none was needed (a fixed port, or
 * the default instance on 1433); without a port, why it is unknown and what to do.
 */
export type Endpoint = { port: number; browser?: Explanation } | { port: undefined; browser: Explanation };

export async function resolveEndpoint(t: NormalizedTarget, terms: AdviceTerms): Promise<Endpoint> {
  if (t.port !== undefined) return { port: t.port };
  if (!t.instance) return { port: 1433 };
  const udp = t.browserPort ?? 1434;
  const answer = await queryBrowser(t.server, { port: udp, timeoutMs: t.connectTimeoutMs });
  if (!answer.ok) {
    return {
      port: undefined,
      browser: {
        details: `The SQL Server Browser on ${t.server} did not answer (${answer.error}), so the port of instance ${t.instance} is unknown.`,
        action: `Start the SQL Server Browser service on ${t.server} and allow UDP ${udp} through its firewall, or give the instance a fixed port (${terms.port}).`,
      },
    };
  }
  const inst = findInstance(answer.instances, t.instance);
  if (!inst) {
    return {
      port: undefined,
      browser: {
        details: `The SQL Server Browser on ${t.server} does not know instance ${t.instance}; it reports: ${describeInstances(answer.instances)}.`,
        action: `Correct the instance name${terms.where} (one of those reported), or check that the instance is installed and running on this host.`,
      },
    };
  }
  if (!inst.tcp) {
    return {
      port: undefined,
      browser: {
        details: `The SQL Server Browser on ${t.server} reports instance ${inst.instanceName} without a TCP port (TCP/IP is disabled for it).`,
        action: `Enable TCP/IP for ${inst.instanceName} in SQL Server Configuration Manager and restart the instance.`,
      },
    };
  }
  return {
    port: inst.tcp,
    browser: { details: `The SQL Server Browser on ${t.server} reports instance ${inst.instanceName} on TCP ${inst.tcp}${inst.version ? ` (version ${inst.version})` : ''}.`, action: '' },
  };
}

// Where to connect: the port of a named instance comes from the SQL Server Browser (the check
// reports what the Browser said, and on a miss which instances it does have); a fixed port or a
// default instance needs no lookup.
import { describeInstances, findInstance, queryBrowser } from './browser.js';
import type { Verdict } from './checks.js';
import type { NormalizedTarget } from './connect.js';

export type Endpoint = { port: number; verdict: Verdict; looked: boolean } | { port: undefined; verdict: Verdict; looked: boolean };

export async function resolveEndpoint(t: NormalizedTarget): Promise<Endpoint> {
  if (t.port !== undefined) {
    return { port: t.port, looked: false, verdict: { Status: 'Skipped', Details: `Not needed: the fixed port ${t.port} was given.`, RecommendedAction: '' } };
  }
  if (!t.instance) {
    return { port: 1433, looked: false, verdict: { Status: 'Skipped', Details: 'Not needed: the default instance listens on TCP 1433.', RecommendedAction: '' } };
  }
  const udp = t.browserPort ?? 1434;
  const answer = await queryBrowser(t.server, { port: udp, timeoutMs: t.connectTimeoutMs });
  if (!answer.ok) {
    return {
      port: undefined,
      looked: true,
      verdict: {
        Status: 'Failed',
        Details: `The SQL Server Browser on ${t.server} did not answer (${answer.error}), so the port of instance ${t.instance} is unknown.`,
        RecommendedAction: `Start the SQL Server Browser service on ${t.server} and allow UDP ${udp} through its firewall, or give the instance a fixed port (-Port, or New-SqlStore -Port).`,
      },
    };
  }
  const inst = findInstance(answer.instances, t.instance);
  if (!inst) {
    return {
      port: undefined,
      looked: true,
      verdict: {
        Status: 'Failed',
        Details: `The SQL Server Browser on ${t.server} does not know instance ${t.instance}; it reports: ${describeInstances(answer.instances)}.`,
        RecommendedAction: 'Correct the instance name (one of those reported), or check that the instance is installed and running on this host.',
      },
    };
  }
  if (!inst.tcp) {
    return {
      port: undefined,
      looked: true,
      verdict: {
        Status: 'Failed',
        Details: `The SQL Server Browser on ${t.server} reports instance ${inst.instanceName} without a TCP port (TCP/IP is disabled for it).`,
        RecommendedAction: `Enable TCP/IP for ${inst.instanceName} in SQL Server Configuration Manager and restart the instance.`,
      },
    };
  }
  return {
    port: inst.tcp,
    looked: true,
    verdict: { Status: 'Passed', Details: `The SQL Server Browser on ${t.server} reports instance ${inst.instanceName} on TCP ${inst.tcp}${inst.version ? ` (version ${inst.version})` : ''}.`, RecommendedAction: '' },
  };
}

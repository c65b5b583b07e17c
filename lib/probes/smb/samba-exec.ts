// Runs Samba's smbclient/smbcacls for one target: the password travels in the child's
// PASSWD environment variable (never argv), stdin is closed so nothing can prompt, and
// the child is killed when the timeout runs out (a silent server otherwise costs 20 s).
import { ErrorRecord } from '../../cmdlet/errors.js';
import { runTool, type ToolResult } from '../run-tool.js';
import { DEFAULT_TIMEOUT_MS, type SmbTarget } from './types.js';

export type SambaTool = 'smbclient' | 'smbcacls' | 'rpcclient';

export type ToolRun = Omit<ToolResult, 'notFound'>;

/** Where each tool comes from, per platform, for the NotInstalled message. */
const INSTALL_HINT =
  'Install Samba\'s client tools: apt-get install smbclient (Debian/Ubuntu), dnf install samba-client (RHEL/Fedora), brew install samba (macOS).';

/** PCHAT_SAMBA_BINDIR points at another Samba build (tests, or a bundled copy); default: PATH. */
export function toolPath(tool: SambaTool): string {
  const dir = process.env.PCHAT_SAMBA_BINDIR;
  return dir ? `${dir.replace(/\/$/, '')}/${tool}` : tool;
}

/** The child's environment: ours without any inherited Samba password variables, plus PASSWD when needed. */
function childEnv(password?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'PASSWD' || k === 'PASSWD_FD' || k === 'PASSWD_FILE') continue;
    env[k] = v;
  }
  if (password !== undefined) env.PASSWD = password;
  return env;
}

/** `-U user` with the password in PASSWD, or the current Kerberos identity when there is no credential. */
export function credentialArgs(target: SmbTarget): string[] {
  const c = target.credential;
  if (!c) return ['-N', '--use-kerberos=desired'];
  return ['-U', c.userName];
}

export function uncFor(target: SmbTarget): string {
  return `//${target.server}/${target.share}`;
}

/** Runs a Samba tool against the target's share. Throws only when the tool is missing. */
export async function runSambaTool(tool: SambaTool, target: SmbTarget, args: string[], timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS): Promise<ToolRun> {
  // -R host: resolve through the system resolver only, never NetBIOS broadcasts.
  // rpcclient talks to the server (its LSA pipe), not to a share.
  const argv = [tool === 'rpcclient' ? `//${target.server}` : uncFor(target), ...args, ...credentialArgs(target), '-R', 'host'];
  const r = await runTool(toolPath(tool), argv, { env: childEnv(target.credential?.password), timeoutMs });
  if (r.notFound) {
    throw new ErrorRecord({
      errorId: ({ smbclient: 'SmbClientNotInstalled', smbcacls: 'SmbCaclsNotInstalled', rpcclient: 'RpcClientNotInstalled' } as const)[tool],
      category: 'NotInstalled',
      target: tool,
      message: `${tool} was not found${process.env.PCHAT_SAMBA_BINDIR ? ` in ${process.env.PCHAT_SAMBA_BINDIR}` : ' on PATH'}; the file store checks on Linux and macOS use Samba's ${tool}.`,
      recommendedAction: INSTALL_HINT,
    });
  }
  const { notFound: _, ...run } = r;
  return run;
}

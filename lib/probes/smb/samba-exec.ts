// Runs Samba's smbclient/smbcacls/rpcclient for one target, and reads their outcome: the password travels in the child's
// PASSWD environment variable (never argv), stdin is closed so nothing can prompt, and
// the child is killed when the timeout runs out (a silent server otherwise costs 20 s).
import { ErrorRecord } from '../../cmdlet/errors.js';
import { SHARE_NAME_REGEX } from '../../cmdlet/validators.js';
import { inheritedEnv, runTool, type ToolResult } from '../run-tool.js';
import { firstStatus, stageOf } from './nt-status.js';
import { DEFAULT_TIMEOUT_MS, type SmbFailure, type SmbTarget } from './types.js';

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
  const env = inheritedEnv();
  for (const k of ['PASSWD', 'PASSWD_FD', 'PASSWD_FILE']) delete env[k];
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

/** Samba noise on stderr that is not about the call's outcome. */
const NOISE = [/cli_pipe\.c:\d+: RPC fault/, /failed to lookup domain sid/, /^\s*$/];

export function toolMessage(run: ToolRun): string {
  const lines = `${run.stdout}\n${run.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => !NOISE.some((re) => re.test(l)));
  return lines.slice(-3).join(' ').slice(0, 400);
}

/** Classifies a failed run; undefined when the run did not fail at the connection level. */
export function runFailure(run: ToolRun, timeoutMs: number): SmbFailure | undefined {
  if (run.timedOut) return { stage: 'timeout', status: 'TIMEOUT', message: `no answer within ${Math.round(timeoutMs / 100) / 10} s (the server accepted the connection but did not complete the SMB exchange)` };
  // Exit 0 is success even with NT_STATUS noise on stderr (--sddl's domain SID lookup).
  if (run.exitCode === 0) return undefined;
  const text = `${run.stdout}\n${run.stderr}`;
  const status = firstStatus(text);
  if (!status) return { stage: 'other', status: `EXIT_${run.exitCode ?? 'SIGNAL'}`, message: toolMessage(run) || 'the tool failed without a message' };
  let stage = stageOf(status);
  // Refused at session or tree connect: not a path problem.
  if (/cli_full_connection failed|session setup failed|tree connect failed|do_connect/.test(text) && (stage === 'access' || stage === 'path' || stage === 'other')) stage = 'auth';
  if (/tree connect failed/.test(text) && status === 'NT_STATUS_BAD_NETWORK_NAME') stage = 'share';
  return { stage, status, message: toolMessage(run) };
}

/** smbcacls path syntax: `\` for the share root, `a\b` below it. */
export function aclPath(p: string): string {
  return p ? p : '\\';
}

/** smbclient path inside the share, with a leading backslash. */
export function clientPath(...parts: string[]): string {
  return '\\' + parts.filter(Boolean).join('\\');
}

/** Folder names end up inside an smbclient command string: refuse what could break out of it. */
export function assertSafePath(p: string): void {
  if (/["";\r\n\t\x00-\x1f]/.test(p) || p.split('\\').some((seg) => seg === '..')) {
    throw new ErrorRecord({
      errorId: 'SmbPathInvalid',
      category: 'InvalidArgument',
      target: p,
      message: `The folder '${p}' contains characters this tool does not pass to smbclient (quotes, ';', control characters or '..').`,
      recommendedAction: 'Use a folder name made of letters, digits, spaces, dashes and backslashes.',
    });
  }
}

/** Share names go into smbclient's `tcon "<share>"`: refuse what Windows never allows in one and could break out. */
export function assertSafeShare(share: string): void {
  if (!SHARE_NAME_REGEX.test(share)) {
    throw new ErrorRecord({
      errorId: 'SmbShareNameInvalid',
      category: 'InvalidArgument',
      target: share,
      message: `'${share}' is not a valid share name: share names cannot contain " \\ / [ ] : | < > + = ; , * ? or control characters.`,
      recommendedAction: 'Give the share name as the file server publishes it (pchat Test-FileStore -Path \'\\\\server\\share\').',
    });
  }
}

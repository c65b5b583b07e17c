// Runs Samba's smbclient/smbcacls/rpcclient for one target, and reads their outcome: the password
// travels through a pipe on the child's fd 3 (PASSWD_FD; never argv, never the environment), behind
// the server's first logon (logon-gate.ts); stdin is closed so nothing can prompt, and the child is
// killed when the timeout runs out (a silent server otherwise costs 20 s).
import { ErrorRecord, ExitCode } from '../../cmdlet/errors.js';
import { SHARE_NAME_REGEX } from '../../cmdlet/validators.js';
import { inheritedEnv, runTool, type ToolResult } from '../run-tool.js';
import { firstStatus, stageOf } from './nt-status.js';
import { logonTicket, notTried } from './logon-gate.js';
import { DEFAULT_TIMEOUT_MS, type SmbFailure, type SmbTarget } from './types.js';

export type SambaTool = 'smbclient' | 'smbcacls' | 'rpcclient';

export type ToolRun = Omit<ToolResult, 'notFound'> & {
  /** Not run: the server's first logon in this run failed at the session, with this. */
  notTried?: SmbFailure;
};

/** Where each tool comes from, per platform, for the NotInstalled message. */
const INSTALL_HINT =
  'Install Samba\'s client tools: apt-get install smbclient (Debian/Ubuntu), dnf install samba-client (RHEL/Fedora), brew install samba (macOS).';

/** PCHAT_SAMBA_BINDIR points at another Samba build (tests, or a bundled copy); default: PATH. */
export function toolPath(tool: SambaTool): string {
  const dir = process.env.PCHAT_SAMBA_BINDIR;
  return dir ? `${dir.replace(/\/$/, '')}/${tool}` : tool;
}

/** The child's environment: ours without any inherited Samba password variables, plus PASSWD_FD when a password comes. */
function childEnv(withPassword: boolean): Record<string, string> {
  const env = inheritedEnv();
  for (const k of ['PASSWD', 'PASSWD_FD', 'PASSWD_FILE']) delete env[k];
  if (withPassword) env.PASSWD_FD = '3';
  return env;
}

/**
 * Samba reads PASSWD_FD a byte at a time up to a newline into a 128-byte buffer, and 4.17 reads it
 * twice (later releases once, then leave the rest unread): one line per read. A password with a
 * line break, a NUL or too long for that is refused rather than put in the child's environment (PASSWD).
 */
function fdLine(password: string): string | undefined {
  return /[\r\n\0]/.test(password) || Buffer.byteLength(password) > 120 ? undefined : `${password}\n${password}\n`;
}

/** `-U user` with the password on PASSWD_FD, or the current Kerberos identity when there is no credential. */
export function credentialArgs(target: SmbTarget): string[] {
  const c = target.credential;
  if (!c) return ['-N', '--use-kerberos=desired'];
  return ['-U', c.userName];
}

export function uncFor(target: SmbTarget): string {
  return `//${target.server}/${target.share}`;
}

/** What smbclient writes to stderr (unbuffered, unlike its stdout) once a file went up: the session is proven. */
const SESSION_PROVEN = /^putting file /m;

/**
 * Runs a Samba tool against the target's share, behind the server's first logon (logon-gate.ts).
 * Throws only when the tool is missing.
 */
export async function runSambaTool(tool: SambaTool, target: SmbTarget, args: string[], timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS): Promise<ToolRun> {
  // -R host: resolve through the system resolver only, never NetBIOS broadcasts.
  // rpcclient talks to the server (its LSA pipe), not to a share.
  const argv = [tool === 'rpcclient' ? `//${target.server}` : uncFor(target), ...args, ...credentialArgs(target), '-R', 'host'];
  const password = target.credential?.password;
  const line = password === undefined ? undefined : fdLine(password);
  if (password !== undefined && line === undefined) {
    // Never in the environment or on the command line: say why the account cannot be used from here.
    throw new ErrorRecord({
      errorId: 'SmbPasswordNotPipeable',
      category: 'InvalidArgument',
      target: target.credential!.userName,
      message: `The password of ${target.credential!.userName} is longer than 120 bytes or holds a line break: Samba's ${tool} can read it only from its environment or command line, which this tool never uses for a password.`,
      recommendedAction: 'Test with an account whose password is at most 120 bytes on one line, or run the check on a Windows host (the OS passes the password itself).',
      exitCode: ExitCode.Usage,
    });
  }
  const notRun = (f: SmbFailure): ToolRun => ({ stdout: '', stderr: '', timedOut: false, durationMs: 0, notTried: notTried(f, target) });
  let ticket = logonTicket(target, tool === 'smbclient');
  if (ticket.role === 'failed') return notRun(ticket.failure);
  if (ticket.role === 'wait' && (!ticket.prestart || line === undefined)) {
    // Started once the first logon is proven (or not at all).
    const f = await ticket.result;
    if (f) return notRun(f);
    ticket = { role: 'open' };
  }
  const held = ticket.role === 'wait' ? ticket.result : undefined;
  const first = ticket.role === 'first' ? ticket.settle : undefined;
  let r: ToolResult;
  try {
    r = await runTool(toolPath(tool), argv, {
      env: childEnv(line !== undefined),
      timeoutMs,
      ...(line === undefined ? {} : { fd3: held ? held.then((f) => (f ? undefined : line)) : Promise.resolve(line) }),
      ...(first && tool === 'smbclient' ? { onStderr: (text: string) => SESSION_PROVEN.test(text) && first(undefined) } : {}),
    });
    first?.(r.notFound ? undefined : runFailure(r, timeoutMs));
  } finally {
    // Should runTool ever throw, the calls waiting on this logon must not wait forever (settling is once only).
    first?.(undefined);
  }
  if (r.cancelled && held) {
    const f = await held;
    if (f) return notRun(f);
  }
  if (r.notFound) {
    throw new ErrorRecord({
      errorId: ({ smbclient: 'SmbClientNotInstalled', smbcacls: 'SmbCaclsNotInstalled', rpcclient: 'RpcClientNotInstalled' } as const)[tool],
      category: 'NotInstalled',
      target: tool,
      message: `${tool} was not found${process.env.PCHAT_SAMBA_BINDIR ? ` in ${process.env.PCHAT_SAMBA_BINDIR}` : ' on PATH'}; the file store checks on Linux and macOS use Samba's ${tool}.`,
      recommendedAction: INSTALL_HINT,
    });
  }
  const { notFound: _, cancelled: __, ...run } = r;
  return run;
}

/** Samba noise on stderr that is not about the call's outcome. */
const NOISE = [/cli_pipe\.c:\d+: RPC fault/, /failed to lookup domain sid/, /^Error reading password from file descriptor/, /^\s*$/];

export function toolMessage(run: ToolRun): string {
  const lines = `${run.stdout}\n${run.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => !NOISE.some((re) => re.test(l)));
  return lines.slice(-3).join(' ').slice(0, 400);
}

/** Classifies a failed run; undefined when the run did not fail at the connection level. */
export function runFailure(run: ToolRun, timeoutMs: number): SmbFailure | undefined {
  if (run.notTried) return run.notTried;
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
      // A value the user gave (-Path): a usage error, as the binder's are.
      exitCode: ExitCode.Usage,
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
      exitCode: ExitCode.Usage,
    });
  }
}

// The SMB backend for Windows: the operating system speaks SMB. UNC paths go through Node's
// fs, the DACL comes from PowerShell's Get-Acl (.Sddl, with SIDs) and icacls (names), the
// token from whoami. Tested on recorded outputs only (no Windows host in CI); see the parsers.
import { mkdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { ErrorRecord } from '../../cmdlet/errors.js';
import { failureRecord } from './nt-status.js';
import { inheritedEnv, runTool } from '../run-tool.js';
import { parseSddl } from '../dacl/sddl.js';
import { parseIcacls } from '../dacl/icacls.js';
import type { Ace } from '../dacl/model.js';
import { DEFAULT_TIMEOUT_MS, type PathKind, type RoundTripResult, type SecurityRead, type SmbBackend, type SmbFailure, type SmbStage, type SmbTarget } from './types.js';

export function uncPath(target: SmbTarget, p = ''): string {
  return `\\\\${target.server}\\${target.share}${p ? '\\' + p : ''}`;
}

/** Win32 error codes (from HRESULT 0x8007xxxx or errno) to the probe's stages. */
const WIN32_STAGE: Record<number, [SmbStage, string]> = {
  2: ['path', 'ERROR_FILE_NOT_FOUND'],
  3: ['path', 'ERROR_PATH_NOT_FOUND'],
  5: ['access', 'ERROR_ACCESS_DENIED'],
  53: ['connect', 'ERROR_BAD_NETPATH'],
  64: ['connect', 'ERROR_NETNAME_DELETED'],
  67: ['share', 'ERROR_BAD_NET_NAME'],
  86: ['auth', 'ERROR_INVALID_PASSWORD'],
  121: ['timeout', 'ERROR_SEM_TIMEOUT'],
  1219: ['auth', 'ERROR_SESSION_CREDENTIAL_CONFLICT'],
  1326: ['auth', 'ERROR_LOGON_FAILURE'],
  1330: ['auth', 'ERROR_PASSWORD_EXPIRED'],
  1331: ['auth', 'ERROR_ACCOUNT_DISABLED'],
  1909: ['auth', 'ERROR_ACCOUNT_LOCKED_OUT'],
};

/** Parses `ERR:<hresult>:<message>` lines the PowerShell snippets print on failure. */
export function parsePowerShellFailure(output: string): SmbFailure | undefined {
  const m = /^ERR:(-?\d+):(.*)$/m.exec(output);
  if (!m) return undefined;
  const hr = Number(m[1]) >>> 0;
  const code = (hr & 0xffff0000) >>> 0 === 0x80070000 ? hr & 0xffff : hr;
  const [stage, status] = WIN32_STAGE[code] ?? ['other', `0x${hr.toString(16)}`];
  return { stage, status, message: m[2]!.trim() };
}

/**
 * Runs a script in Windows PowerShell. `env` carries its inputs, never a secret: a secret goes in
 * `stdin`, which the script reads with [Console]::In. With -Command <string> (not `-Command -` or
 * `-File -`, which read the commands themselves from stdin) powershell.exe leaves stdin to the script
 * unless the script names $input: only then does the host read stdin as the pipeline's input, and
 * its reads would race the script's. So no script here may mention $input.
 */
async function powershell(script: string, env: Record<string, string>, timeoutMs: number, stdin?: string) {
  const wrapped = `$ErrorActionPreference='Stop'; try { ${script} } catch { $e=$_.Exception; while ($e.InnerException) { $e=$e.InnerException }; Write-Output ("ERR:" + $e.HResult + ":" + $e.Message) }`;
  // Windows needs SystemRoot and PATH in the child's environment: ours, plus the call's variables.
  const r = await runTool('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', wrapped], { env: { ...inheritedEnv(), ...env }, timeoutMs, ...(stdin === undefined ? {} : { stdin }) });
  if (r.notFound) {
    throw new ErrorRecord({ errorId: 'PowerShellNotFound', category: 'NotInstalled', target: 'powershell.exe', message: 'powershell.exe was not found on PATH.', recommendedAction: 'Run on a Windows host with Windows PowerShell 5.1, or set PCHAT_SMB_BACKEND=samba with Samba installed.' });
  }
  return { stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
}

/**
 * Maps the SMB session to the credential (New-SmbMapping), so fs calls use it. The password goes on
 * PowerShell's stdin, never in its argv or environment (which other processes of the user can read),
 * as one line of base64 of its UTF-8 bytes: redirected stdin is decoded with the console's code page,
 * which would mangle a non-ASCII password, and a line break in it would end the line early.
 */
async function connect(target: SmbTarget, timeoutMs: number): Promise<SmbFailure | undefined> {
  if (!target.credential) return undefined;
  const r = await powershell(
    `$p = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadLine())); New-SmbMapping -RemotePath $env:PCHAT_UNC -UserName $env:PCHAT_USER -Password $p -Persistent $false | Out-Null; Write-Output OK`,
    { PCHAT_UNC: uncPath(target), PCHAT_USER: target.credential.userName },
    timeoutMs,
    `${Buffer.from(target.credential.password, 'utf8').toString('base64')}\n`,
  );
  if (r.timedOut) return { stage: 'timeout', status: 'TIMEOUT', message: `no answer within ${timeoutMs / 1000} s` };
  return parsePowerShellFailure(r.stdout);
}

async function readSecurity(target: SmbTarget, p: string): Promise<SecurityRead> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const c = await connect(target, timeout);
  if (c) return { ok: false, failure: c };
  const r = await powershell('(Get-Acl -LiteralPath $env:PCHAT_PATH).Sddl', { PCHAT_PATH: uncPath(target, p) }, timeout);
  if (r.timedOut) return { ok: false, failure: { stage: 'timeout', status: 'TIMEOUT', message: `no answer within ${timeout / 1000} s` } };
  const f = parsePowerShellFailure(r.stdout);
  if (f) return { ok: false, failure: f };
  try {
    return { ok: true, sd: parseSddl(r.stdout.trim()) };
  } catch (e) {
    return { ok: false, failure: { stage: 'other', status: 'UNPARSEABLE', message: (e as Error).message } };
  }
}

async function readNames(target: SmbTarget, p: string): Promise<SecurityRead> {
  const full = uncPath(target, p);
  const r = await runTool('icacls', [full], { env: inheritedEnv(), timeoutMs: target.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  try {
    return { ok: true, sd: parseIcacls(r.stdout, full).sd };
  } catch (e) {
    return { ok: false, failure: { stage: 'other', status: 'ICACLS', message: (e as Error).message } };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(Object.assign(new Error(`no answer within ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms)))]).finally(() => clearTimeout(t));
}

async function roundTrip(target: SmbTarget, folder: string): Promise<RoundTripResult> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const id = randomBytes(6).toString('hex');
  const one = uncPath(target, [folder, `pchat-probe-${id}.tmp`].filter(Boolean).join('\\'));
  const two = uncPath(target, [folder, `pchat-probe-${id}.renamed.tmp`].filter(Boolean).join('\\'));
  const content = `pchat-topology file store probe ${id}\n`;
  const result: RoundTripResult = { steps: {}, leftovers: [], probeName: one };
  const step = async (name: 'write' | 'rename' | 'read' | 'delete', fn: () => Promise<void>) => {
    try {
      await withTimeout(fn(), timeout);
      result.steps[name] = { ok: true };
      return true;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      result.steps[name] = { ok: false, status: err.code ?? 'ERROR', detail: err.message };
      return false;
    }
  };
  try {
    if (!(await step('write', () => writeFile(one, content)))) return result;
    const renamed = await step('rename', () => rename(one, two));
    await step('read', async () => {
      const back = await readFile(renamed ? two : one, 'utf8');
      if (back !== content) throw new Error('the probe file read back differs from what was written');
    });
    await step('delete', () => unlink(renamed ? two : one));
  } finally {
    for (const f of [one, two]) {
      try {
        await withTimeout(stat(f), timeout);
        try {
          await withTimeout(unlink(f), timeout);
        } catch {
          result.leftovers.push(f);
        }
      } catch {
        /* gone */
      }
    }
  }
  return result;
}

/** Parses `whoami /user /groups /fo csv /nh`: every SID in the token except integrity labels. */
export function parseWhoamiSids(output: string): string[] {
  const sids = [...output.matchAll(/"(S-1-\d+(?:-\d+)+)"/g)].map((m) => m[1]!.toUpperCase());
  return [...new Set(sids.filter((s) => !s.startsWith('S-1-16-')))];
}

async function tokenSids(): Promise<string[] | undefined> {
  const r = await runTool('whoami', ['/user', '/groups', '/fo', 'csv', '/nh'], { env: inheritedEnv(), timeoutMs: 10_000 });
  const sids = parseWhoamiSids(r.stdout);
  return sids.length ? sids : undefined;
}

async function ensureFolder(target: SmbTarget, folder: string): Promise<'created' | 'exists'> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const c = await connect(target, timeout);
  if (c) throw failureRecord(c, target, `create '${folder}'`);
  const full = uncPath(target, folder);
  try {
    await withTimeout(stat(full), timeout);
    return 'exists';
  } catch {
    /* create below */
  }
  try {
    await withTimeout(mkdir(full, { recursive: true }), timeout);
    return 'created';
  } catch (e) {
    throw failureRecord({ stage: 'other', status: (e as NodeJS.ErrnoException).code ?? 'ERROR', message: (e as Error).message }, target, `create '${folder}'`);
  }
}

async function setDacl(target: SmbTarget, p: string, aces: Ace[]): Promise<void> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Names are translated to SIDs by Windows itself, then the protected DACL is written as SDDL.
  const spec = JSON.stringify(aces.map((a) => ({ who: a.sid ?? a.name, type: a.type, flags: a.flags, mask: a.mask })));
  const script = [
    '$aces = $env:PCHAT_ACES | ConvertFrom-Json',
    "$parts = foreach ($a in $aces) { if ($a.who -match '^S-1-') { $sid = $a.who } else { $sid = ([System.Security.Principal.NTAccount]$a.who).Translate([System.Security.Principal.SecurityIdentifier]).Value }; $t = if ($a.type -eq 'Denied') { 'D' } else { 'A' }; $f = ''; if ($a.flags -band 1) { $f += 'OI' }; if ($a.flags -band 2) { $f += 'CI' }; if ($a.flags -band 4) { $f += 'NP' }; if ($a.flags -band 8) { $f += 'IO' }; '(' + $t + ';' + $f + ';0x' + ('{0:x8}' -f [int64]$a.mask) + ';;;' + $sid + ')' }",
    '$acl = Get-Acl -LiteralPath $env:PCHAT_PATH',
    "$acl.SetSecurityDescriptorSddlForm('D:P' + ($parts -join ''), 'Access')",
    'Set-Acl -LiteralPath $env:PCHAT_PATH -AclObject $acl',
    'Write-Output OK',
  ].join('; ');
  const c = await connect(target, timeout);
  if (c) throw failureRecord(c, target, `set the DACL of '${p}'`);
  const r = await powershell(script, { PCHAT_PATH: uncPath(target, p), PCHAT_ACES: spec }, timeout);
  const f = r.timedOut ? { stage: 'timeout' as const, status: 'TIMEOUT', message: `no answer within ${timeout / 1000} s` } : parsePowerShellFailure(r.stdout);
  if (f) throw failureRecord(f, target, `set the DACL of '${p}'`);
}

/** Names as setDacl translates them: by this host (NTAccount.Translate), one PowerShell for them all. */
async function lookupSids(target: SmbTarget, names: string[]): Promise<Map<string, string | null> | SmbFailure> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const script = "foreach ($n in ($env:PCHAT_NAMES | ConvertFrom-Json)) { try { 'SID:' + ([System.Security.Principal.NTAccount]$n).Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { 'SID:-' } }";
  const r = await powershell(script, { PCHAT_NAMES: JSON.stringify(names) }, timeout);
  if (r.timedOut) return { stage: 'timeout', status: 'TIMEOUT', message: `no answer within ${timeout / 1000} s` };
  const f = parsePowerShellFailure(r.stdout);
  if (f) return f;
  const sids = [...r.stdout.matchAll(/^SID:(\S+)/gm)].map((m) => m[1]!);
  return new Map(names.map((n, i) => [n, sids[i]?.startsWith('S-1-') ? sids[i]!.toUpperCase() : null]));
}

async function pathKinds(target: SmbTarget, paths: string[]): Promise<Map<string, PathKind> | SmbFailure> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const c = await connect(target, timeout);
  if (c) return c;
  const out = new Map<string, PathKind>();
  for (const p of paths) {
    try {
      out.set(p, (await withTimeout(stat(uncPath(target, p)), timeout)).isDirectory() ? 'folder' : 'file');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { stage: code === 'EACCES' || code === 'EPERM' ? 'access' : 'other', status: code ?? 'ERROR', message: (e as Error).message };
      out.set(p, 'missing');
    }
  }
  return out;
}

async function removeFolder(target: SmbTarget, p: string): Promise<void> {
  try {
    await withTimeout(rmdir(uncPath(target, p)), target.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (e) {
    throw failureRecord({ stage: 'other', status: (e as NodeJS.ErrnoException).code ?? 'ERROR', message: (e as Error).message }, target, `remove the folder '${p}'`);
  }
}

export const windowsBackend: SmbBackend = { name: 'windows', readSecurity, readNames, roundTrip, tokenSids, ensureFolder, setDacl, lookupSids, pathKinds, removeFolder };

// The write/rename/read/delete probe over Samba's smbclient, batched: the round trips asked for
// one server and account in the same turn of the event loop share one smbclient session (one
// logon, then `tcon <share>` per probe). Sixteen shares of a file server cost one process instead
// of sixteen; on 2 cores that process start (~45 ms of CPU each) was what made many shares slow.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { makeTempDir, removeTempDir } from '../temp-dir.js';
import path from 'node:path';
import { ErrorRecord } from '../../cmdlet/errors.js';
import { finishing } from '../../cmdlet/children.js';
import { firstStatus } from './nt-status.js';
import { assertSafePath, assertSafeShare, clientPath, runFailure, runSambaTool, toolMessage, type ToolRun } from './samba-exec.js';
import { DEFAULT_TIMEOUT_MS, type RoundTripResult, type SmbTarget } from './types.js';

interface Probe {
  target: SmbTarget;
  folder: string;
  id: string;
  name: string;
  renamed: string;
  up: string;
  down: string;
  content: string;
  resolve: (r: RoundTripResult) => void;
  reject: (e: unknown) => void;
}

interface Batch {
  target: SmbTarget;
  probes: Probe[];
}

const queued = new Map<string, Batch[]>();
/** Probes per session at most: a session is sequential, and two run on two cores at once. */
const MAX_BATCH = 16;

/**
 * A name no other probe uses: this process, and 48 random bits. Not a secret (the file lives for
 * a moment in a folder the account may write), so Math.random will do and node:crypto (several
 * ms of every start) stays unloaded.
 */
function probeId(): string {
  const r = () => Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0');
  return `${process.pid.toString(16)}${r()}${r()}`;
}

/** Write, rename, read back and delete a uniquely named file in `folder`; always cleans up. */
export function roundTrip(target: SmbTarget, folder: string): Promise<RoundTripResult> {
  try {
    assertSafePath(folder);
    assertSafeShare(target.share);
  } catch (e) {
    return Promise.reject(e);
  }
  const id = probeId();
  const content = `pchat-topology file store probe ${id} ${new Date().toISOString()}\n`;
  // Queued at once (no await before): probes asked for in the same turn must land in the same batch.
  return new Promise<RoundTripResult>((resolve, reject) => {
    enqueue({ target, folder, id, name: `pchat-probe-${id}.tmp`, renamed: `pchat-probe-${id}.renamed.tmp`, up: '', down: '', content, resolve, reject });
  });
}

/** Same server, same account (and password): one session. Flushed once the current turn has queued all it will. */
function enqueue(p: Probe): void {
  const key = `${p.target.server.toLowerCase()}|${p.target.credential?.userName.toLowerCase() ?? ''}`;
  const batches = queued.get(key) ?? [];
  let batch = batches.find((b) => b.probes.length < MAX_BATCH && b.target.credential?.password === p.target.credential?.password && (b.target.timeoutMs ?? DEFAULT_TIMEOUT_MS) === (p.target.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  if (!batch) {
    batch = { target: p.target, probes: [] };
    batches.push(batch);
    queued.set(key, batches);
    const b = batch;
    setImmediate(() => {
      const rest = (queued.get(key) ?? []).filter((x) => x !== b);
      if (rest.length) queued.set(key, rest);
      else queued.delete(key);
      void runBatch(b);
    });
  }
  batch.probes.push(p);
}

function commands(p: Probe): string[] {
  const remote1 = clientPath(p.folder, p.name);
  const remote2 = clientPath(p.folder, p.renamed);
  return [
    `tcon "${p.target.share}"`,
    `put "${p.up}" "${remote1}"`,
    'showacls',
    `ls "${remote1}"`,
    // The folder's own entry, with its descriptor: Test-FileStore's SIDs when it reads names (startCalls).
    ...(p.folder ? [`ls "${clientPath(p.folder)}"`] : []),
    `rename "${remote1}" "${remote2}"`,
    `get "${remote2}" "${p.down}"`,
    `del "${remote2}"`,
    `del "${remote1}"`,
    'showacls', // off again: the last listing is a plain one, told apart from the first
    `ls "${clientPath(p.folder, `pchat-probe-${p.id}*`)}"`,
  ];
}

async function runBatch(b: Batch): Promise<void> {
  const timeout = b.target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let dir: string | undefined;
  try {
    // The files to upload and download, in a private folder (mode 0700) removed afterwards.
    // Synchronously (a few small local files): yielding here would let the other calls of this turn
    // spawn first, and the session, the longest call, would start last.
    dir = makeTempDir('pchat-smb-');
    // The local paths go into the session's put/get commands too.
    if (/["';\r\n]/.test(dir)) {
      throw new ErrorRecord({
        errorId: 'TempFolderUnusable',
        category: 'InvalidArgument',
        target: dir,
        message: `The temporary folder '${dir}' contains a quote, ';' or a line break, which smbclient's command line cannot carry.`,
        recommendedAction: 'Point TMPDIR at a folder whose path has none of them (e.g. TMPDIR=/tmp).',
      });
    }
    for (const p of b.probes) {
      p.up = path.join(dir, `${p.id}.up`);
      p.down = path.join(dir, `${p.id}.down`);
      writeFileSync(p.up, p.content, { mode: 0o600 });
    }
    // The session starts on IPC$ (always there once logged on); each probe then connects to its share.
    const ipc: SmbTarget = { ...b.target, share: 'IPC$' };
    // -t bounds each SMB operation; the session as a whole gets the timeout once per probe, so a
    // batch over a slow link has what its probes would have had one by one.
    const run = await runSambaTool('smbclient', ipc, ['-t', String(Math.max(1, Math.ceil(timeout / 1000))), '-c', b.probes.flatMap(commands).join('; ')], timeout * b.probes.length);
    // stdout in order: "tcon to <share> successful" / "tcon failed: <status>" opens each probe's part.
    const parts: string[] = [];
    for (const line of run.stdout.split(/\r?\n/)) {
      if (/^tcon (to .* successful|failed)/.test(line)) parts.push('');
      if (parts.length) parts[parts.length - 1] += line + '\n';
    }
    for (const [i, p] of b.probes.entries()) p.resolve(await evaluate(p, run, parts[i], timeout));
  } catch (e) {
    // A missing smbclient (all runSambaTool throws) or an unusable temporary folder is every probe's error.
    for (const p of b.probes) p.reject(e);
  } finally {
    if (dir) await removeTempDir(dir);
  }
}

/** One probe's outcome from its part of stdout and the stderr lines that name its unique files. */
async function evaluate(p: Probe, run: ToolRun, part: string | undefined, timeout: number): Promise<RoundTripResult> {
  const remote1 = clientPath(p.folder, p.name);
  const remote2 = clientPath(p.folder, p.renamed);
  const pattern = clientPath(p.folder, `pchat-probe-${p.id}*`);
  const result: RoundTripResult = { steps: {}, leftovers: [], probeName: remote1 };
  const failure = runFailure(run, timeout);
  // Timed out, or stopped by a termination (SIGTERM): how far it got is unknown, and a killed smbclient's
  // buffered stdout is lost, so its part may be missing even though the probe file was written.
  const cut = run.timedOut || (run.exitCode === undefined && !run.cancelled && !run.notTried);
  // Removing both names once more is work a termination lets finish (within its grace).
  const cleanUp = () => finishing(() => cleanup(p.target, [remote1, remote2], pattern, result));
  if (part === undefined) {
    // The session never reached this probe's share: it failed before (logon, connection) or was killed.
    result.failure = failure ?? { stage: 'other', status: `EXIT_${run.exitCode}`, message: toolMessage(run) };
    if (cut) await cleanUp();
    return result;
  }
  const tcon = /^tcon failed: (NT_STATUS_[A-Z_]+)/m.exec(part);
  if (tcon) {
    result.failure = { stage: tcon[1] === 'NT_STATUS_BAD_NETWORK_NAME' ? 'share' : 'auth', status: tcon[1]!, message: `tree connect to '${p.target.share}' failed: ${tcon[1]}` };
    return result;
  }
  const mine = run.stderr.split(/\r?\n/).filter((l) => l.includes(p.id));
  const lines = [...part.split('\n'), ...mine];
  const errorFor = (re: RegExp) => {
    const l = lines.find((x) => /NT_STATUS_[A-Z_]+/.test(x) && re.test(x));
    return l ? { ok: false, status: firstStatus(l)!, detail: l.trim() } : undefined;
  };
  const esc = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  // Imported here: the session's process starts before the DACL parsers load.
  const { parseShowacls } = await import('../dacl/smbclient-showacls.js');
  const listed = parseShowacls(part);
  const probeEntry = listed.find((e) => e.fileName === p.name);
  const folderName = p.folder.split('\\').filter(Boolean).pop()?.toLowerCase();
  const named = folderName ? listed.find((e) => e.fileName.toLowerCase() === folderName) : undefined;
  if (named) result.folderKind = named.mode.includes('D') ? 'folder' : 'file';
  const folderEntry = named?.mode.includes('D') ? named : undefined;
  if (folderEntry?.sd) result.folderSd = folderEntry.sd;
  result.steps.write = errorFor(new RegExp(`opening remote file ${esc(remote1)}$`)) ?? (probeEntry ? { ok: true } : { ok: false, detail: 'the probe file did not appear in the folder listing' });
  if (probeEntry?.sd?.owner?.sid) result.accountSid = probeEntry.sd.owner.sid;
  if (result.steps.write.ok) {
    result.steps.rename = errorFor(/renaming files/) ?? { ok: true };
    let readBack: string | undefined;
    try {
      readBack = await readFile(p.down, 'utf8');
    } catch {
      /* not downloaded */
    }
    result.steps.read =
      errorFor(new RegExp(`opening remote file ${esc(remote2)}$`)) ??
      (readBack === p.content ? { ok: true } : { ok: false, detail: readBack === undefined ? 'the renamed probe file could not be read back' : 'the probe file read back differs from what was written' });
    const leftovers = plainListing(part, `pchat-probe-${p.id}`).map((n) => clientPath(p.folder, n));
    const delErr = errorFor(new RegExp(`deleting remote file ${esc(remote2)}|deleting remote file ${esc(remote1)}`));
    const gone = lines.some((l) => l.includes('NT_STATUS_NO_SUCH_FILE') && l.includes(pattern));
    result.leftovers = leftovers;
    result.steps.delete = delErr ?? (gone && leftovers.length === 0 ? { ok: true } : { ok: false, detail: 'the probe file is still there after delete' });
  }
  if (cut) {
    result.failure = failure;
    await cleanUp();
  }
  return result;
}

/** Names in a plain (showacls off) smbclient listing that start with `prefix`. */
function plainListing(stdout: string, prefix: string): string[] {
  const esc = prefix.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return [...stdout.matchAll(new RegExp(`^\\s+(${esc}\\S*)\\s+[A-Z]*\\s+\\d+\\s`, 'gm'))].map((m) => m[1]!);
}

async function cleanup(target: SmbTarget, files: string[], pattern: string, result: RoundTripResult): Promise<void> {
  const timeout = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const script = [...files.map((f) => `del "${f}"`), `ls "${pattern}"`].join('; ');
  const run = await runSambaTool('smbclient', target, ['-c', script], timeout);
  const dir = files[0]!.slice(0, files[0]!.lastIndexOf('\\'));
  const prefix = pattern.slice(pattern.lastIndexOf('\\') + 1).replace(/\*$/, '');
  const left = run.timedOut ? files : plainListing(run.stdout, prefix).map((n) => `${dir}\\${n}`);
  result.leftovers = [...new Set([...result.leftovers, ...left])];
}

// Types shared by the SMB probe and its backends. Probes take a target, never the topology.
import type { Credential } from '../../credential.js';
import type { SecurityDescriptor } from '../dacl/model.js';
import type { RequiredAce } from '../dacl/policy.js';

export interface SmbTarget {
  /** File server name or address (the FQDN in the topology). */
  server: string;
  share: string;
  /** A folder inside the share (`a\b`), checked instead of the share root. */
  folder?: string;
  /** No credential: the current identity (Kerberos ticket on Linux, the logon session on Windows). */
  credential?: Credential;
  /** Bound on every network call and every external command (default 15 s). */
  timeoutMs?: number;
}

export interface FileStoreTestOptions {
  /** Required ACEs (default: the built-in publish policy; the commands pass the one in force). */
  policy?: RequiredAce[];
  /** The pool is already published: drift from the policy (or a missing folder) fails instead of warning. */
  published?: boolean;
  /** The pool's folder in the share, e.g. `1-PersistentChatService-1` (joined under `target.folder`). */
  folder?: string;
  /** Group SIDs known to be in the account's token, used when the server reports no maximum access. */
  accountSids?: string[];
  /**
   * False: the policy ACEs are not compared here (row Skipped). Publish-Topology probes the share root,
   * where the policy does not apply; it sets the policy on each pool folder itself.
   */
  comparePolicy?: boolean;
  /**
   * Publish sets the policy here or in a folder below (default: when a folder is tested and the policy
   * is compared): the policy's principals must then resolve to SIDs on the file server.
   */
  setsPolicy?: boolean;
  /** Folders publish creates in the share (its pool folders): each must be a folder or not exist yet. */
  poolFolders?: string[];
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export type PathKind = 'folder' | 'file' | 'missing';

/** Why an SMB call did not get through, in the order a client meets the obstacles. */
export type SmbStage = 'connect' | 'timeout' | 'auth' | 'share' | 'path' | 'access' | 'other';

export interface SmbFailure {
  stage: SmbStage;
  /** NT_STATUS_* code, or TIMEOUT / a local error code. */
  status: string;
  /** What the tool said (never contains a password). */
  message: string;
}

export interface SecurityRead {
  ok: boolean;
  failure?: SmbFailure;
  sd?: SecurityDescriptor;
  /** The rights the server grants the connected account (SMB2 maximal-access), when it says. */
  maximumAccess?: number;
}

export type StepName = 'write' | 'rename' | 'read' | 'delete';

export interface StepOutcome {
  ok: boolean;
  status?: string;
  detail?: string;
}

export interface RoundTripResult {
  /** Set when the session itself failed (connect, logon, share). */
  failure?: SmbFailure;
  steps: Partial<Record<StepName, StepOutcome>>;
  /** The SID the server stamped as owner of the probe file: the account as the server sees it. */
  accountSid?: string;
  /** Probe files that could not be removed. */
  leftovers: string[];
  probeName: string;
  /** The folder's descriptor (SIDs) as the session listed it, when the backend lists it and could. */
  folderSd?: SecurityDescriptor;
  /** What the session found at the folder's path, when it listed it (a file there is no pool folder). */
  folderKind?: PathKind;
}

/** Test-FileStore's calls on one object, started together. */
export interface StartedCalls {
  /** The DACL with SIDs and the maximum access; its outcome is also the logon's. */
  sec: Promise<SecurityRead>;
  rt: Promise<RoundTripResult>;
  names: Promise<SecurityRead>;
  /** Settles when the call that logs on has answered: the Authentication row's time. */
  logon: Promise<unknown>;
  startedAt: number;
}

/** One way of talking SMB: Samba's tools on Linux/macOS, the operating system on Windows. */
export interface SmbBackend {
  readonly name: 'samba' | 'windows';
  /**
   * Starts the read, the round trip and the names of one object at once, sharing calls where the
   * backend can. Only a backend that lets one logon per server and account go first and holds the
   * others until it is proven (logon-gate.ts), and whose calls are separate processes with no shared
   * mapping to race on, has it: callers may then start it beside the name and port checks.
   */
  startCalls?(target: SmbTarget, path: string): StartedCalls;
  /** Throws an ErrorRecord for a folder path this backend cannot carry (every call checks it too). */
  assertPath?(path: string): void;
  /** The folder's DACL with SIDs and the account's maximum access; never throws for a network problem. */
  readSecurity(target: SmbTarget, path: string): Promise<SecurityRead>;
  /**
   * The same DACL with trustee names (for people and name-based policy entries). `known` is the
   * SID form already read: a backend may answer from names it looked up before, without a call.
   */
  readNames(target: SmbTarget, path: string, known?: SecurityDescriptor | Promise<SecurityDescriptor | undefined>): Promise<SecurityRead>;
  /** Write, rename, read back and delete a uniquely named probe file in `path`; always cleans up. */
  roundTrip(target: SmbTarget, path: string): Promise<RoundTripResult>;
  /** SIDs in the current identity's token when the platform can tell (Windows: whoami /groups). */
  tokenSids?(): Promise<string[] | undefined>;
  /** Creates `folder` (and its parents); throws an ErrorRecord when it cannot. */
  ensureFolder(target: SmbTarget, folder: string): Promise<'created' | 'exists'>;
  /** Several folders of one share at once (one session), when the backend can; per folder the outcome or the error. */
  ensureFolders?(target: SmbTarget, folders: string[]): Promise<Map<string, 'created' | 'exists' | import('../../cmdlet/errors.js').ErrorRecord>>;
  /** The SID-form descriptors of several folders of one share from one listing, when the backend can; unlisted folders are absent. */
  readFolders?(target: SmbTarget, folders: string[]): Promise<Map<string, import('../dacl/model.js').SecurityDescriptor>>;
  /** Looks names up on the file server ahead of setDacl (which then sends SIDs), when the backend gains by it. */
  resolveNames?(target: SmbTarget, names: string[]): Promise<void>;
  /**
   * Each name's SID as the file server resolves it (Windows: as this host, which sets the DACL by SID,
   * resolves it), or null when it does not resolve; a failure when the lookup itself could not run.
   */
  lookupSids?(target: SmbTarget, names: string[]): Promise<Map<string, string | null> | SmbFailure>;
  /** What each path of the share is: a folder, something else (a file), or nothing yet. */
  pathKinds?(target: SmbTarget, paths: string[]): Promise<Map<string, PathKind> | SmbFailure>;
  /** Removes an empty folder (one this run created, whose DACL could not be set); throws an ErrorRecord when it cannot. */
  removeFolder?(target: SmbTarget, path: string): Promise<void>;
  /** Replaces the DACL of `path` with `aces` (trustee: SID when known, else name) and protects it from inheritance. */
  setDacl(target: SmbTarget, path: string, aces: import('../dacl/model.js').Ace[]): Promise<void>;
}

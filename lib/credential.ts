// An account and its password, as every layer passes it: the runtime resolves it (cmdlet/credential.ts),
// the SQL client and the SMB probe log in with it, publish hands it on. It sits at the root of lib/,
// below all of them, so that none imports another layer just for this type.
export interface Credential {
  /** `user`, `DOMAIN\user` or `user@realm`. */
  userName: string;
  /** Never logged, never put on a command line, never in an error message. */
  password: string;
}

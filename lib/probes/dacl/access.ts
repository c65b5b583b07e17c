// Effective access of an account from a DACL and the SIDs in its token, as Windows'
// access check computes MAXIMUM_ALLOWED: ACEs are evaluated in the order they are stored
// (for a canonical DACL that is explicit deny, explicit allow, inherited deny, inherited
// allow); a right denied before it was granted is lost, one granted before a deny stays.
// Samba's se_access_check does the same, so the result is comparable with `smbcacls -x`.
import { appliesToObject, type Ace, type SecurityDescriptor } from './model.js';
import { Mask, Right, mapGeneric } from './masks.js';
import { SID } from './sids.js';

export interface AccessOptions {
  /**
   * Effective rights on the parent folder. The file system adds DELETE when the parent
   * grants delete-child, and read-attributes when it grants list-directory.
   */
  parentAccess?: number;
}

export interface AccessResult {
  /** The rights the account ends up with. */
  granted: number;
  /** Rights some applicable deny ACE took away before an allow could grant them. */
  denied: number;
  /** The ACEs that applied to the account, in evaluation order. */
  applied: { index: number; ace: Ace }[];
}

export function effectiveAccess(sd: SecurityDescriptor, tokenSids: readonly string[], opts: AccessOptions = {}): AccessResult {
  const token = new Set(tokenSids.map((s) => s.toUpperCase()));
  let granted = 0;
  let denied = 0;
  const applied: AccessResult['applied'] = [];
  if (sd.dacl === null) {
    // A NULL DACL grants everyone everything.
    granted = Mask.FullControl;
  } else {
    const isOwner = !!sd.owner?.sid && token.has(sd.owner.sid.toUpperCase());
    const hasOwnerRightsAce = sd.dacl.some((a) => a.sid === SID.OwnerRights && appliesToObject(a));
    // The owner may always read and change the DACL, unless OWNER RIGHTS ACEs say otherwise.
    if (isOwner && !hasOwnerRightsAce) granted |= Right.ReadControl | Right.WriteDac;
    sd.dacl.forEach((ace, index) => {
      if (!appliesToObject(ace) || !ace.sid) return;
      const sid = ace.sid.toUpperCase();
      const matches = token.has(sid) || (isOwner && sid === SID.OwnerRights);
      if (!matches) return;
      const m = mapGeneric(ace.mask);
      if (ace.type === 'Allowed') {
        granted |= m & ~denied;
        applied.push({ index, ace });
      } else if (ace.type === 'Denied') {
        denied |= m & ~granted;
        applied.push({ index, ace });
      }
    });
  }
  if (opts.parentAccess !== undefined) {
    // Delete-child on the parent wins even over a deny of DELETE on the object itself.
    if (opts.parentAccess & Right.DeleteChild) granted |= Right.Delete;
    if (opts.parentAccess & Right.ReadData) granted |= Right.ReadAttributes;
  }
  return { granted: granted >>> 0, denied: denied >>> 0, applied };
}

/** The SIDs every account has on an SMB session, whatever its groups. */
export const NETWORK_LOGON_SIDS: readonly string[] = [SID.Everyone, SID.AuthenticatedUsers, SID.Network];

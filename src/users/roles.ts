/**
 * Administrative roles (API-2): the one table of roles, and granting and revoking them. A role is
 * what the admin API's gate (admin/http/gate.ts) asks for; a signer holds none. The roles live in
 * the user's DB-1 row, so revoking one takes effect on the admin's next request, not at token expiry.
 */
import { ShomeiError } from '../errors.js';
import type { Actor, UsersDeps } from './model.js';

/** Every role and what it is for (separation of duties: none implies another). */
export const ADMIN_ROLES = {
  /** USER-2..4: registers signers after identity proofing, issues enrolment codes, suspends and reinstates. */
  registration_officer: 'register signers, issue enrolment codes, suspend and reinstate',
  /** KEY-2: lists and disables credentials. */
  key_admin: 'list and disable credentials',
  /** LOG-2: reads signed checkpoints and verifies the log. */
  auditor: 'read checkpoints and verify the log',
} as const;

export type AdminRole = keyof typeof ADMIN_ROLES;

const ROLE_NAMES = Object.keys(ADMIN_ROLES) as AdminRole[];

export const isAdminRole = (r: string): r is AdminRole => (ROLE_NAMES as readonly string[]).includes(r);

/** The `users.roles` column (comma-separated) as roles, in table order; unknown names are dropped. */
export function parseRoles(column: string): readonly AdminRole[] {
  const held = new Set(column.split(','));
  return ROLE_NAMES.filter((r) => held.has(r));
}

const formatRoles = (roles: ReadonlySet<AdminRole>): string => ROLE_NAMES.filter((r) => roles.has(r)).join(',');

export function roles(deps: UsersDeps) {
  const { store, audit, clock } = deps;

  async function change(userId: string, role: string, grant: boolean, actor: Actor): Promise<readonly AdminRole[]> {
    if (!isAdminRole(role)) throw new ShomeiError('invalid_parameter', { name: 'role' });
    const after = await store.transaction(async (tx) => {
      const row = await tx.selectFrom('users').select(['status', 'roles']).where('id', '=', userId).executeTakeFirst();
      if (!row) throw new ShomeiError('unknown_user');
      if (grant && row.status === 'terminated') throw new ShomeiError('invalid_state', { detail: 'user terminated' });
      const held = new Set(parseRoles(row.roles));
      if (grant) held.add(role);
      else held.delete(role);
      const column = formatRoles(held);
      // Compare-and-set on the old value: two concurrent changes cannot overwrite each other.
      const res = await tx
        .updateTable('users')
        .set({ roles: column, updated_at: clock.now() })
        .where('id', '=', userId)
        .where('roles', '=', row.roles)
        .executeTakeFirst();
      if (res.numUpdatedRows !== 1n) throw new ShomeiError('invalid_state', { detail: 'roles changed meanwhile' });
      return parseRoles(column);
    });
    await audit.append({
      type: grant ? 'user.role.grant' : 'user.role.revoke',
      actor,
      outcome: 'success',
      userId,
      role,
      roles: after,
    });
    return after;
  }

  return {
    grantRole: (userId: string, role: string, actor: Actor) => change(userId, role, true, actor),
    revokeRole: (userId: string, role: string, actor: Actor) => change(userId, role, false, actor),
  };
}

/**
 * CSC 2.2 `credentials/create` and `credentials/delete` (csc-api-v2.md §4.7; CSC 2.2 §11.4/§11.5;
 * ETSI TS 119 432 §5.4/§7.8, §5.5/§7.9). Both are authorised only through OAuth: the bearer token
 * must carry the `credential_management` scope (src/oauth/model.ts), never plain `service`.
 * Creation goes through the same domain code as `shomei credential create`; deletion through the
 * key lifecycle (revoke the certificate, zeroise the key, disable the credential).
 */
import { type Static, Type as T } from 'typebox';
import { createSigningCredential, type LifecycleDeps, revokeCredential } from '../../admin/index.js';
import { ShomeiError } from '../../errors.js';
import type { HttpApp } from '../../http/server.js';
import type { Principal } from '../../signing/index.js';
import { bearerToken } from '../bearer.js';
import type { SessionPort } from '../deps.js';
import { ErrorBody } from '../schemas.js';

export const CREDENTIAL_MANAGEMENT = 'credential_management';

/** TS 119 432's subject data: the OIDC claims the reference names (given_name, family_name, …). */
const SubjectData = T.Object({
  given_name: T.String({ minLength: 1, maxLength: 255 }),
  family_name: T.String({ minLength: 1, maxLength: 255 }),
  gender: T.Optional(T.String({ maxLength: 32 })),
  birthdate: T.Optional(T.String({ maxLength: 10 })),
  address: T.Optional(T.Object({ country: T.Optional(T.String({ maxLength: 2 })) })),
});
export const CreateRequest = T.Object({
  subjectData: SubjectData,
  /** Ours (field name unconfirmed in 2.2): a key type of keys/algorithms.ts, EC-P256 by default. */
  keyType: T.Optional(T.String({ maxLength: 32 })),
  description: T.Optional(T.String({ maxLength: 255 })),
  clientData: T.Optional(T.String({ maxLength: 2048 })),
});
export const DeleteRequest = T.Object({
  credentialID: T.String({ minLength: 1, maxLength: 255 }),
  clientData: T.Optional(T.String({ maxLength: 2048 })),
});
const CreateResponse = T.Object({ credentialID: T.String() });
export type SubjectData = Static<typeof SubjectData>;

export interface CredentialManagementDeps {
  readonly session: SessionPort;
  readonly lifecycle: LifecycleDeps;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

/** Only an OAuth token granted for credential management (csc-api-v2.md §4.7 "OAuth only"). */
async function manager(session: SessionPort, token: string): Promise<Principal> {
  const principal = await session.authenticate(token);
  if (principal.scope !== CREDENTIAL_MANAGEMENT) throw new ShomeiError('insufficient_scope');
  return principal;
}

const normalise = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * TS 119 432: the subject data must be the signer's own. The identity record holds one display
 * name, so given_name + family_name must match it (either order, case and spacing aside).
 */
export function subjectMatches(displayName: string, s: SubjectData): boolean {
  const name = normalise(displayName);
  return (
    name === normalise(`${s.given_name} ${s.family_name}`) || name === normalise(`${s.family_name} ${s.given_name}`)
  );
}

export function credentialManagementRoutes(app: HttpApp, deps: CredentialManagementDeps): void {
  const { lifecycle } = deps;
  app.post(
    '/credentials/create',
    { schema: { tags: ['csc'], body: CreateRequest, response: { 200: CreateResponse, ...errors } } },
    async (req) => {
      const principal = await manager(deps.session, bearerToken(req));
      const actor = principal.userId;
      const user = await lifecycle.users.get(principal.userId);
      if (!subjectMatches(user.displayName, req.body.subjectData)) {
        await lifecycle.audit.append({
          type: 'csc.credentials.create',
          actor,
          outcome: 'failure',
          reason: 'csc22_subject_mismatch',
          clientId: principal.clientId,
        });
        throw new ShomeiError('csc22_subject_mismatch');
      }
      const credential = await createSigningCredential(
        lifecycle,
        {
          userId: user.id,
          keyType: req.body.keyType ?? 'EC-P256',
          ...(req.body.description !== undefined ? { description: req.body.description } : {}),
        },
        actor,
      );
      await lifecycle.audit.append({
        type: 'csc.credentials.create',
        actor,
        outcome: 'success',
        clientId: principal.clientId,
        credentialID: credential.id,
      });
      return { credentialID: credential.id };
    },
  );

  app.post(
    '/credentials/delete',
    { schema: { tags: ['csc'], body: DeleteRequest, response: { 204: T.Null(), ...errors } } },
    async (req, reply) => {
      const principal = await manager(deps.session, bearerToken(req));
      // Another user's credential looks unknown (csc-api-v2.md §9 pitfall 1).
      const credential = await lifecycle.users.getCredential(req.body.credentialID, principal.userId);
      // Deleted already: gone, as an unknown one.
      if (credential.status === 'disabled') throw new ShomeiError('invalid_credential');
      const why = { actor: principal.userId, reason: 'CSC credentials/delete' };
      await revokeCredential(lifecycle, credential.id, 'cessationOfOperation', why, { destroyKey: true });
      await lifecycle.users.setCredentialStatus(credential.id, 'disabled', why.actor, why.reason);
      await lifecycle.audit.append({
        type: 'csc.credentials.delete',
        actor: why.actor,
        outcome: 'success',
        clientId: principal.clientId,
        credentialID: credential.id,
      });
      return reply.status(204).send(null);
    },
  );
}

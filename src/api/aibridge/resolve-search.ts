/**
 * The checks of a search that need the database or the configuration: `initiator` to a user id and
 * `provider_name` to a known provider instance. Problems become validations beside the parser's own.
 */
import type { Principal } from '../../auth/authenticate.js';
import { isUuid } from '../../core/ids.js';
import type { SearchFilter } from '../../search/search-keys.js';
import type { ServerContext } from '../../server/context.js';
import { providerNameIsRecorded } from '../../store/query-distinct-values.js';
import type { RecordFilter, Visibility } from '../../store/record-filter.js';
import { findUserById, findUserByUsername } from '../../store/users.js';
import type { Validation } from '../http-error.js';
import { canReadAll } from '../require-user.js';

/** Whose records the principal may read: everyone's for owners and auditors, else their own. */
export function visibilityOf(principal: Principal): Visibility {
  return canReadAll(principal.user) ? null : principal.user.id;
}

/** Resolves a parsed search; every unknown user or provider name adds a validation. */
export async function resolveSearch(input: {
  context: ServerContext;
  principal: Principal;
  search: SearchFilter;
}): Promise<{ filter: RecordFilter; validations: Validation[] }> {
  const { context, principal, search } = input;
  const validations: Validation[] = [];
  const { initiator, ...rest } = search;
  const filter: RecordFilter = { ...rest };
  const [initiatorId, providerKnown] = await Promise.all([
    initiator === undefined ? undefined : resolveInitiator(context, principal, initiator),
    search.providerName === undefined ? true : providerNameIsKnown(context, search.providerName),
  ]);
  if (initiator !== undefined) {
    if (initiatorId) filter.initiatorId = initiatorId;
    else
      validations.push({
        field: 'initiator',
        detail: `No user "${initiator}" (use me, a user id or a username).`,
      });
  }
  if (!providerKnown) {
    const names = context.config.providers.map((provider) => provider.name).join(', ');
    validations.push({
      field: 'provider_name',
      detail: `No provider named "${search.providerName}". Known: ${names}.`,
    });
  }
  return { filter, validations };
}

/**
 * A user id for `me`, an id or a username (case-insensitive). A member can name only themselves: any
 * other user is unknown to them whether or not it exists, so the answer reveals nothing about other users.
 */
async function resolveInitiator(
  context: ServerContext,
  principal: Principal,
  value: string,
): Promise<string | null> {
  const self = principal.user;
  const lower = value.toLowerCase();
  if (lower === 'me' || lower === self.id || lower === self.username.toLowerCase()) return self.id;
  if (!canReadAll(self)) return null;
  const user = isUuid(value)
    ? await findUserById(context.store.db, lower)
    : await findUserByUsername(context.store.db, value);
  return user?.id ?? null;
}

/**
 * A provider name is known when it is configured, or when records carry it: an instance removed from the
 * configuration keeps its history searchable.
 */
async function providerNameIsKnown(context: ServerContext, name: string): Promise<boolean> {
  if (context.config.providers.some((provider) => provider.name === name)) return true;
  return providerNameIsRecorded(context.store.db, name);
}

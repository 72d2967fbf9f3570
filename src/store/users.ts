import { type Kysely, sql } from 'kysely';
import { newId } from '../core/ids.js';
import type { Database } from './schema.js';

/** Usernames: 1-32 letters or digits, in words joined by single dashes. */
export const usernamePattern = /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/;
export const maxUsernameLength = 32;

/** Roles beyond the implicit `member` that every user has. */
export type ElevatedRole = 'owner' | 'auditor';
export const elevatedRoles: readonly ElevatedRole[] = ['owner', 'auditor'];

/** Whether a user may use the bridge: suspended and deleted users' tokens are refused. */
export type UserStatus = 'active' | 'suspended' | 'deleted';
const userStatuses: readonly UserStatus[] = ['active', 'suspended', 'deleted'];

/** A user of the bridge. */
export interface User {
  id: string;
  username: string;
  name: string;
  email: string;
  avatarUrl: string;
  roles: ElevatedRole[];
  status: UserStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  username: string;
  name?: string;
  email?: string;
  avatarUrl?: string;
  roles?: ElevatedRole[];
}

type UserRow = {
  id: string;
  username: string;
  name: string;
  email: string;
  avatar_url: string;
  roles: string[];
  status: string;
  created_at: Date;
  updated_at: Date;
};

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    email: row.email,
    avatarUrl: row.avatar_url,
    roles: row.roles.filter((role): role is ElevatedRole => elevatedRoles.includes(role as ElevatedRole)),
    status: userStatuses.find((status) => status === row.status) ?? 'active',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Creates a user; returns null when the username is taken (case-insensitively). */
export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User | null> {
  const now = new Date();
  const row = await db
    .insertInto('users')
    .values({
      id: newId(),
      username: input.username,
      name: input.name ?? '',
      email: input.email ?? '',
      avatar_url: input.avatarUrl ?? '',
      roles: input.roles ?? [],
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.expression(sql`lower(username)`).where('status', '<>', 'deleted').doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Finds a user by id. */
export async function findUserById(db: Kysely<Database>, id: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : null;
}

/**
 * Finds a user by username, case-insensitively: the user of that name who is not deleted, else the most
 * recently created deleted one (whose records stay searchable by name).
 */
export async function findUserByUsername(db: Kysely<Database>, username: string): Promise<User | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .orderBy(sql`status = 'deleted'`)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Every user that is not deleted, oldest first. */
export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where('status', '<>', 'deleted')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toUser);
}

/** Suspends or reactivates a user who is not deleted; returns the user, or null when there is none. */
export async function setUserStatus(
  db: Kysely<Database>,
  input: { id: string; status: 'active' | 'suspended' },
): Promise<User | null> {
  const row = await db
    .updateTable('users')
    .set({ status: input.status, updated_at: new Date() })
    .where('id', '=', input.id)
    .where('status', '<>', 'deleted')
    .returningAll()
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

/**
 * Deletes a user: their tokens are removed and the row is marked deleted, so their interceptions stay
 * readable and attributed. Returns false when there was no such user.
 */
export async function deleteUser(db: Kysely<Database>, id: string): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    const row = await transaction
      .updateTable('users')
      .set({ status: 'deleted', roles: [], updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '<>', 'deleted')
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await transaction.deleteFrom('api_keys').where('user_id', '=', id).execute();
    return true;
  });
}

/** How many active owners there are besides the given user (the last owner must stay). */
export async function countOtherActiveOwners(db: Kysely<Database>, id: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', 'active')
    .where(sql<boolean>`'owner' = ANY(roles)`)
    .where('id', '<>', id)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Whether any user exists (an empty database gets the first-start owner). */
export async function hasUsers(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Replaces a user's roles. Refuses (returns `'last-owner'`) to take the owner role from the last owner, in
 * the same statement, so two owners demoting each other at once cannot both succeed. Returns null when no
 * such user exists.
 */
export async function setUserRoles(
  db: Kysely<Database>,
  input: { id: string; roles: ElevatedRole[] },
): Promise<User | 'last-owner' | null> {
  const keepsOwner = input.roles.includes('owner');
  const row = await db
    .updateTable('users')
    .set({ roles: [...new Set(input.roles)], updated_at: new Date() })
    .where('id', '=', input.id)
    .where('status', '<>', 'deleted')
    .where((eb) =>
      keepsOwner
        ? eb.val(true)
        : eb.exists(
            eb
              .selectFrom('users as other')
              .select('other.id')
              .where('other.id', '<>', input.id)
              .where('other.status', '=', 'active')
              .where(sql<boolean>`'owner' = ANY(other.roles)`),
          ),
    )
    .returningAll()
    .executeTakeFirst();
  if (row) return toUser(row);
  const existing = await findUserById(db, input.id);
  return existing && existing.status !== 'deleted' ? 'last-owner' : null;
}

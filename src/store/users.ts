import { type Kysely, sql } from 'kysely';
import { newId } from '../core/ids.js';
import type { Database } from './schema.js';

/** Roles beyond the implicit `member` that every user has. */
export type ElevatedRole = 'owner' | 'auditor';
export const elevatedRoles: readonly ElevatedRole[] = ['owner', 'auditor'];

/** A user of the bridge. */
export interface User {
  id: string;
  username: string;
  name: string;
  email: string;
  avatarUrl: string;
  roles: ElevatedRole[];
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
    .onConflict((conflict) => conflict.expression(sql`lower(username)`).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Finds a user by id. */
export async function findUserById(db: Kysely<Database>, id: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Finds a user by username, case-insensitively. */
export async function findUserByUsername(db: Kysely<Database>, username: string): Promise<User | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

/** Every user, oldest first. */
export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toUser);
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
    .set({ roles: input.roles, updated_at: new Date() })
    .where('id', '=', input.id)
    .where((eb) =>
      keepsOwner
        ? eb.val(true)
        : eb.exists(
            eb
              .selectFrom('users as other')
              .select('other.id')
              .where('other.id', '<>', input.id)
              .where(sql<boolean>`'owner' = ANY(other.roles)`),
          ),
    )
    .returningAll()
    .executeTakeFirst();
  if (row) return toUser(row);
  return (await findUserById(db, input.id)) ? 'last-owner' : null;
}

/**
 * User status: `active`, `suspended` (their tokens stop working; records and tokens stay) or `deleted`
 * (their tokens are removed; the row stays so their interceptions remain readable and attributed). A
 * deleted user's username is free again: the unique index covers only users that are not deleted.
 */
export const userStatus = `
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active'
  CHECK (status IN ('active', 'suspended', 'deleted'));
DROP INDEX users_username_lower;
CREATE UNIQUE INDEX users_username_lower ON users (lower(username)) WHERE status <> 'deleted';
`;

/** What the users and tokens panels share: the role choices and how an API error reads. */
import { ApiError } from '../api/client';
import type { User } from '../api/types';

export const roleChoices = [
  { value: 'member', label: 'Member — uses the bridge, sees own records' },
  { value: 'auditor', label: 'Auditor — reads every record' },
  { value: 'owner', label: 'Owner — everything' },
];

/** The one role shown for a user: owner above auditor above member. */
export function roleOf(user: User): string {
  if (user.roles.includes('owner')) return 'owner';
  return user.roles.includes('auditor') ? 'auditor' : 'member';
}

/** An API error as one line: its message and each validation. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.validations.map((validation) => `${validation.field} ${validation.detail}`);
    return [error.message, ...details].join(' ');
  }
  return error instanceof Error ? error.message : 'Failed.';
}

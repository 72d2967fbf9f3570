import { useState } from 'preact/hooks';
import type { MinimalUser } from '../api/types';

/**
 * A user's avatar: their picture when it is served from this bridge or over HTTPS and loads, else their
 * initials on a colour derived from the username (stable across pages).
 */
export function Avatar({ user, size = 24 }: { user: MinimalUser; size?: number }) {
  const [broken, setBroken] = useState(false);
  const words = (user.name || user.username).trim().split(/\s+/);
  const letters =
    words.length > 1
      ? words.slice(0, 2).map((word) => Array.from(word)[0] ?? '')
      : Array.from(words[0] ?? '').slice(0, 2);
  const initials = letters.join('').toUpperCase();
  let hue = 0;
  for (const char of user.username) hue = (hue * 31 + (char.codePointAt(0) ?? 0)) % 360;
  if (!broken && (user.avatar_url.startsWith('https://') || user.avatar_url.startsWith('/'))) {
    return (
      <img
        class="avatar"
        src={user.avatar_url}
        alt=""
        width={size}
        height={size}
        loading="lazy"
        onError={() => setBroken(true)}
      />
    );
  }
  return (
    <span
      class="avatar"
      style={{ background: `hsl(${hue} 55% 45%)`, width: size, height: size }}
      aria-hidden="true"
    >
      {initials}
    </span>
  );
}

/** Avatar, name and username in one cell. */
export function UserCell({ user }: { user: MinimalUser }) {
  return (
    <span class="user-cell" title={user.name ? `${user.name} (${user.username})` : user.username}>
      <Avatar user={user} />
      <span>
        {user.name ? <span class="user-name">{user.name}</span> : null}
        <span class={user.name ? 'muted' : ''}>{user.username}</span>
      </span>
    </span>
  );
}

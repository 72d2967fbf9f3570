import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { Avatar } from './components/avatar';
import { useSession } from './session';

const pages = [
  { path: '/', label: 'Overview', title: 'Overview' },
  { path: '/sessions', label: 'Sessions', title: 'Sessions' },
  { path: '/requests', label: 'Request log', title: 'Request log' },
  { path: '/admin', label: 'Users & tokens', title: 'Users and tokens' },
];

/** The frame of every signed-in page: a skip link, the navigation, the user and sign-out. */
export function Layout({ children }: { children: ComponentChildren }) {
  const { user, signOut } = useSession();
  const [location] = useLocation();
  const current = pages.find((page) =>
    page.path === '/' ? location === '/' : location === page.path || location.startsWith(`${page.path}/`),
  );

  useEffect(() => {
    document.title = current ? `${current.title} · AI Bridge` : 'AI Bridge';
  }, [current]);

  // "/" focuses the page's first search or filter field, as in most log viewers.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || event.metaKey || event.ctrlKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)))
        return;
      const field = document.querySelector<HTMLElement>('main [data-search]');
      if (field) {
        event.preventDefault();
        field.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand" aria-label="AI Bridge overview">
          <img src="/favicon.svg" alt="" width={24} height={24} /> AI Bridge
        </Link>
        <nav aria-label="Main">
          {pages.map((page) => (
            <Link key={page.path} href={page.path} aria-current={current === page ? 'page' : undefined}>
              {page.label}
            </Link>
          ))}
        </nav>
        <div class="me">
          <Avatar user={user} />
          <span>
            {user.username}
            <span class="muted role"> · {user.roles.length > 0 ? user.roles.join(', ') : 'member'}</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

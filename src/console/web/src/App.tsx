import { useEffect, useRef, useState } from 'preact/hooks';
import { api, resumeSession } from './api';
import { setLang, t, useLang, type MessageKey } from './i18n';
import { ChangePasswordPage, LoginPage } from './Login';
import { Link, match, navigate, useRoute } from './router';
import { currentUser, getRefreshToken, loggedOut, type StaffRole, type User } from './session';
import { useStore } from './store';
import { TicketListPage } from './pages/TicketList';
import { TicketPage } from './pages/Ticket';
import { DeskPage } from './pages/Desk';
import { MyWorkPage } from './pages/MyWork';
import { RegistryEntryPage, RegistryPage } from './pages/Registry';
import { ReportsPage } from './pages/Reports';
import { AdminPage } from './pages/Admin';
import { ChatPage } from './pages/Chat';
import { WhatsAppPage } from './pages/WhatsApp';
import { AuditPage } from './pages/Audit';
import { MailPage } from './pages/Mail';

interface NavItem {
  href: string;
  label: MessageKey;
  roles: readonly StaffRole[];
  /** A standalone page outside the SPA (added by another part of Loket), shown when it exists. */
  external?: boolean;
}

const ALL: readonly StaffRole[] = [
  'FRONT_OFFICE',
  'HELPDESK',
  'ADMIN_PPE',
  'SUPERVISOR',
  'AUDITOR',
];

/** The nav by role. The API enforces every rule; the console only hides what a role cannot use. */
export const nav: NavItem[] = [
  { href: '/', label: 'nav.myWork', roles: ALL },
  { href: '/tickets', label: 'nav.tickets', roles: ALL },
  { href: '/desk', label: 'nav.desk', roles: ['FRONT_OFFICE', 'HELPDESK', 'SUPERVISOR'] },
  {
    href: '/registry',
    label: 'nav.registry',
    roles: ['HELPDESK', 'ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'],
  },
  { href: '/reports', label: 'nav.reports', roles: ['ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'] },
  { href: '/admin', label: 'nav.admin', roles: ['SUPERVISOR'] },
  { href: '/mail', label: 'nav.mail', roles: ['SUPERVISOR', 'AUDITOR'] },
  { href: '/audit', label: 'nav.audit', roles: ['AUDITOR', 'SUPERVISOR'] },
  { href: '/chat', label: 'nav.chat', roles: ['FRONT_OFFICE', 'HELPDESK', 'SUPERVISOR'] },
  { href: '/whatsapp', label: 'nav.whatsapp', roles: ['SUPERVISOR'] },
  {
    href: '/board.html',
    label: 'nav.board',
    roles: ['FRONT_OFFICE', 'HELPDESK', 'SUPERVISOR'],
    external: true,
  },
];

function Shell({ user }: { user: User }) {
  const lang = useLang();
  const { path } = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  // After a navigation, focus goes to the page (screen readers start at its content).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setMenuOpen(false);
    document.getElementById('main')?.focus();
  }, [path]);
  const items = nav.filter((n) => n.roles.includes(user.role));

  const logout = async () => {
    try {
      await api('POST', '/auth/logout', { json: {} });
    } catch {
      // the session may already be gone
    }
    loggedOut();
    navigate('/', true);
  };

  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => {
            setMenuOpen(!menuOpen);
          }}
        >
          {t('nav.menu')}
        </button>
        <strong class="brand">Loket</strong>
        <span class="who">
          {user.fullName} · <span class="role">{t(`role.${user.role}` as MessageKey)}</span>
        </span>
        <span class="spacer" />
        <button
          type="button"
          class="link"
          onClick={() => {
            setLang(lang === 'id' ? 'en' : 'id');
          }}
          lang={lang === 'id' ? 'en' : 'id'}
        >
          {t('lang.switch')}
        </button>
        <Link href="/password" class="link">
          {t('nav.password')}
        </Link>
        <button type="button" class="link" onClick={() => void logout()}>
          {t('nav.logout')}
        </button>
      </header>
      <nav id="nav" class={menuOpen ? 'sidenav open' : 'sidenav'} aria-label={t('nav.label')}>
        <ul>
          {items.map((n) => {
            const active = n.href === '/' ? path === '/' : path.startsWith(n.href);
            return (
              <li key={n.href}>
                {n.external ? (
                  <a href={`/console${n.href}`} target="_blank" rel="noopener">
                    {t(n.label)} ↗
                  </a>
                ) : (
                  <Link href={n.href} class={active ? 'active' : undefined}>
                    {t(n.label)}
                  </Link>
                )}
              </li>
            );
          })}
        </ul>
      </nav>
      <main
        id="main"
        tabIndex={-1}
        onClick={() => {
          setMenuOpen(false);
        }}
      >
        <Page user={user} path={path} />
      </main>
    </div>
  );
}

function Page({ user, path }: { user: User; path: string }) {
  let p: Record<string, string> | null;
  if (path === '/' || path === '') return <MyWorkPage user={user} />;
  if (path === '/tickets') return <TicketListPage user={user} />;
  if ((p = match('/tickets/:id', path)))
    return <TicketPage key={p.id} id={p.id ?? ''} user={user} />;
  if (path === '/desk') return <DeskPage user={user} />;
  if (path === '/registry') return <RegistryPage user={user} />;
  if ((p = match('/registry/:id', path))) return <RegistryEntryPage id={p.id ?? ''} user={user} />;
  if (path === '/reports') return <ReportsPage />;
  if (path.startsWith('/admin')) return <AdminPage />;
  if (path === '/mail') return <MailPage user={user} />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/chat') return <ChatPage />;
  if (path === '/whatsapp') return <WhatsAppPage />;
  if (path === '/password') return <ChangePasswordPage user={user} forced={false} />;
  return (
    <div>
      <h1>{t('notFound.title')}</h1>
      <Link href="/">{t('nav.myWork')}</Link>
    </div>
  );
}

export function App() {
  useLang();
  const user = useStore(currentUser);
  const [resuming, setResuming] = useState(() => getRefreshToken() !== null);

  useEffect(() => {
    if (!resuming) return;
    void resumeSession().then((u) => {
      currentUser.set(u);
      setResuming(false);
    });
  }, []);

  if (resuming) return <p class="muted center">{t('common.loading')}</p>;
  if (!user) return <LoginPage />;
  if (user.mustChangePassword) return <ChangePasswordPage user={user} forced />;
  return <Shell user={user} />;
}

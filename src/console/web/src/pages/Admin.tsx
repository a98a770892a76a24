import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDateTime, lang, t, useLang } from '../i18n';
import type { StaffRole } from '../session';
import { ErrorBox, Section, SelectField, TextField, useAsync } from '../ui';

interface Staff {
  id: string;
  username: string;
  fullName: string;
  email: string | null;
  role: StaffRole;
  mustChangePassword: boolean;
  disabled: boolean;
  lastLoginAt: string | null;
}
interface ServiceAccount {
  id: string;
  name: string;
  kind: 'BOT' | 'INTAKE';
  revoked: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}

const roles: StaffRole[] = ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'];
const roleOptions = () => roles.map((r) => ({ value: r, label: t(`role.${r}`) }));

/** Shown once (a new account's password, a service token): never stored, gone when dismissed. */
function OneTime({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div class="secret" role="alert">
      <p>{label}</p>
      <output class="password">{value}</output>
      <button type="button" onClick={onDone}>
        {t('ticket.tempPassword.done')}
      </button>
    </div>
  );
}

export function AdminPage() {
  useLang();
  return (
    <div>
      <h1>{t('admin.title')}</h1>
      <QueueDashboard />
      <StaffAccounts />
      <ServiceAccounts />
      <RejectReasons />
      <Section title={t('admin.calendar')} id="adm-calendar">
        <p class="muted">{t('admin.calendarMissing')}</p>
      </Section>
    </div>
  );
}

/** Bull Board reads the token from an HttpOnly cookie scoped to /admin/queues, set by the API. */
function QueueDashboard() {
  const [error, setError] = useState<unknown>(null);
  const open = async () => {
    setError(null);
    try {
      const r = await api<{ url: string }>('POST', '/admin/queues/session');
      window.location.assign(r.url);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('admin.queues')} id="adm-queues">
      <p class="muted">{t('admin.queuesHint')}</p>
      <button type="button" onClick={() => void open()}>
        {t('admin.queuesOpen')}
      </button>
      <ErrorBox error={error} />
    </Section>
  );
}

function StaffAccounts() {
  const list = useAsync(() => api<Staff[]>('GET', '/users'), []);
  const [form, setForm] = useState({ username: '', fullName: '', email: '', role: 'HELPDESK' });
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<{ who: string; password: string } | null>(null);
  const run = async (p: Promise<unknown>) => {
    setError(null);
    try {
      await p;
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const create = async (e: Event) => {
    e.preventDefault();
    await run(
      api<{ user: Staff; password: string }>('POST', '/users', {
        json: {
          username: form.username.trim(),
          fullName: form.fullName.trim(),
          email: form.email.trim() || null,
          role: form.role,
        },
      }).then((r) => {
        setSecret({ who: r.user.username, password: r.password });
        setForm({ username: '', fullName: '', email: '', role: 'HELPDESK' });
      }),
    );
  };
  return (
    <Section title={t('admin.staff')} id="adm-staff">
      {secret && (
        <OneTime
          label={t('admin.initialPassword', { who: secret.who })}
          value={secret.password}
          onDone={() => {
            setSecret(null);
          }}
        />
      )}
      <ErrorBox error={error ?? list.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('login.username')}</th>
              <th scope="col">{t('requester.name')}</th>
              <th scope="col">{t('admin.role')}</th>
              <th scope="col">{t('admin.lastLogin')}</th>
              <th scope="col">{t('desk.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((u) => (
              <tr key={u.id} class={u.disabled ? 'muted' : undefined}>
                <td>{u.username}</td>
                <td>
                  {u.fullName}
                  {u.disabled && <div class="warn">{t('admin.disabled')}</div>}
                </td>
                <td>
                  <label class="sr-only" for={`role-${u.id}`}>
                    {t('admin.role')} {u.username}
                  </label>
                  <select
                    id={`role-${u.id}`}
                    value={u.role}
                    onChange={(e) =>
                      void run(
                        api('PATCH', `/users/${u.id}`, { json: { role: e.currentTarget.value } }),
                      )
                    }
                  >
                    {roleOptions().map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{formatDateTime(u.lastLoginAt)}</td>
                <td>
                  <div class="row-actions">
                    <button
                      type="button"
                      onClick={() =>
                        void run(
                          api('PATCH', `/users/${u.id}`, { json: { disabled: !u.disabled } }),
                        )
                      }
                    >
                      {u.disabled ? t('admin.enable') : t('admin.disable')}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void run(
                          api<{ password: string }>('POST', `/users/${u.id}/reset-password`).then(
                            (r) => {
                              setSecret({ who: u.username, password: r.password });
                            },
                          ),
                        )
                      }
                    >
                      {t('admin.resetPassword')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="filters" onSubmit={(e) => void create(e)} aria-label={t('admin.newStaff')}>
        <TextField
          label={t('login.username')}
          value={form.username}
          onInput={(v) => {
            setForm({ ...form, username: v });
          }}
          required
        />
        <TextField
          label={t('requester.name')}
          value={form.fullName}
          onInput={(v) => {
            setForm({ ...form, fullName: v });
          }}
          required
        />
        <TextField
          label={t('requester.email')}
          type="email"
          value={form.email}
          onInput={(v) => {
            setForm({ ...form, email: v });
          }}
        />
        <SelectField
          label={t('admin.role')}
          value={form.role}
          onChange={(v) => {
            setForm({ ...form, role: v });
          }}
          options={roleOptions()}
        />
        <div class="field">
          <button type="submit" class="primary">
            {t('admin.create')}
          </button>
        </div>
      </form>
    </Section>
  );
}

function ServiceAccounts() {
  const list = useAsync(() => api<ServiceAccount[]>('GET', '/service-accounts'), []);
  const [name, setName] = useState('');
  const [kind, setKind] = useState('BOT');
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (p: Promise<unknown>) => {
    setError(null);
    try {
      await p;
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('admin.services')} id="adm-services">
      {token && (
        <OneTime
          label={t('admin.token')}
          value={token}
          onDone={() => {
            setToken(null);
          }}
        />
      )}
      <ErrorBox error={error ?? list.error} />
      <ul class="docs">
        {(list.data ?? []).map((s) => (
          <li key={s.id}>
            <span>
              <strong>{s.name}</strong> · {s.kind} · {t('admin.lastUsed')}{' '}
              {formatDateTime(s.lastUsedAt)}
              {s.revoked && <span class="warn"> · {t('admin.revoked')}</span>}
            </span>
            {!s.revoked && (
              <button
                type="button"
                onClick={() => void run(api('DELETE', `/service-accounts/${s.id}`))}
              >
                {t('admin.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        class="filters"
        aria-label={t('admin.newService')}
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            api<{ token: string }>('POST', '/service-accounts', {
              json: { name: name.trim(), kind },
            }).then((r) => {
              setToken(r.token);
              setName('');
            }),
          );
        }}
      >
        <TextField label={t('admin.serviceName')} value={name} onInput={setName} required />
        <SelectField
          label={t('admin.kind')}
          value={kind}
          onChange={setKind}
          options={[
            { value: 'BOT', label: t('role.BOT') },
            { value: 'INTAKE', label: t('role.INTAKE') },
          ]}
        />
        <div class="field">
          <button type="submit" class="primary">
            {t('admin.create')}
          </button>
        </div>
      </form>
    </Section>
  );
}

function RejectReasons() {
  const list = useAsync(
    () => api<{ code: string; labelId: string; labelEn: string }[]>('GET', '/reject-reasons'),
    [],
  );
  return (
    <Section title={t('admin.reasons')} id="adm-reasons">
      <ErrorBox error={list.error} />
      <ul>
        {(list.data ?? []).map((r) => (
          <li key={r.code}>
            <code>{r.code}</code> — {lang.get() === 'en' ? r.labelEn : r.labelId}
          </li>
        ))}
      </ul>
      <p class="muted">{t('admin.reasonsReadOnly')}</p>
    </Section>
  );
}

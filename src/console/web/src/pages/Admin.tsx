import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDateTime, t, tOr, useLang } from '../i18n';
import type { StaffRole } from '../session';
import { ErrorBox, Section, SelectField, TextField, useAsync, useChange } from '../ui';

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
      <WorkingCalendar />
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
  const [secret, setSecret] = useState<{ who: string; password: string } | null>(null);
  const { error, run } = useChange(list.reload);
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
  const { error, run } = useChange(list.reload);
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

interface Reason {
  code: string;
  labelId: string;
  labelEn: string;
  active: boolean;
}

/** The rejection catalogue: add, relabel, retire (a retired reason is no longer offered). */
function RejectReasons() {
  const list = useAsync(() => api<Reason[]>('GET', '/admin/reject-reasons'), []);
  const empty = { code: '', labelId: '', labelEn: '' };
  const [form, setForm] = useState(empty);
  const { error, run } = useChange(list.reload);
  const create = async (e: Event) => {
    e.preventDefault();
    const json = {
      code: form.code.trim().toUpperCase(),
      labelId: form.labelId.trim(),
      labelEn: form.labelEn.trim(),
    };
    if (await run(api('POST', '/admin/reject-reasons', { json }))) setForm(empty);
  };
  return (
    <Section title={t('admin.reasons')} id="adm-reasons">
      <ErrorBox error={error ?? list.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('admin.reasonCode')}</th>
              <th scope="col">{t('admin.labelId')}</th>
              <th scope="col">{t('admin.labelEn')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((r) => (
              <tr key={r.code} class={r.active ? '' : 'muted'}>
                <td>
                  <code>{r.code}</code>
                  {!r.active && <span class="muted"> · {t('admin.retired')}</span>}
                </td>
                <td>{r.labelId}</td>
                <td>{r.labelEn}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`${r.active ? t('admin.retire') : t('admin.restore')} ${r.code}`}
                    onClick={() =>
                      void run(
                        api('PATCH', `/admin/reject-reasons/${encodeURIComponent(r.code)}`, {
                          json: { active: !r.active },
                        }),
                      )
                    }
                  >
                    {r.active ? t('admin.retire') : t('admin.restore')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="filters" onSubmit={(e) => void create(e)} aria-label={t('admin.newReason')}>
        <TextField
          label={t('admin.reasonCode')}
          value={form.code}
          hint={t('admin.reasonCodeHint')}
          onInput={(v) => {
            setForm({ ...form, code: v });
          }}
          required
        />
        <TextField
          label={t('admin.labelId')}
          value={form.labelId}
          onInput={(v) => {
            setForm({ ...form, labelId: v });
          }}
          required
        />
        <TextField
          label={t('admin.labelEn')}
          value={form.labelEn}
          onInput={(v) => {
            setForm({ ...form, labelEn: v });
          }}
          required
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

interface Calendar {
  office: { name: string; timeZone: string };
  year: number;
  holidays: { date: string; name: string; kind: string }[];
  overrides: { date: string; name: string; kind: string }[];
}
const dayKinds = ['OFFICE', 'CUTI_BERSAMA', 'NATIONAL', 'WORKING_DAY'];

/** Days off of a year (shipped and the office's own) and the office's corrections. */
function WorkingCalendar() {
  const [year, setYear] = useState(new Date().getFullYear());
  const cal = useAsync(
    () => api<Calendar>('GET', `/offices/calendar?year=${String(year)}`),
    [year],
  );
  const empty = { date: '', name: '', kind: 'OFFICE' };
  const [form, setForm] = useState(empty);
  const { error, run } = useChange(cal.reload);
  const save = async (e: Event) => {
    e.preventDefault();
    const ok = await run(
      api('PUT', `/offices/holidays/${form.date}`, {
        json: { name: form.name.trim(), kind: form.kind },
      }),
    );
    if (ok) setForm(empty);
  };
  const own = new Set((cal.data?.overrides ?? []).map((o) => o.date));
  const kindOptions = dayKinds.map((k) => ({ value: k, label: tOr(`admin.dayKind.${k}`, k) }));
  return (
    <Section title={t('admin.calendar')} id="adm-calendar">
      <ErrorBox error={error ?? cal.error} />
      {cal.data && (
        <p class="muted">
          {t('admin.calendarOffice', {
            office: cal.data.office.name,
            zone: cal.data.office.timeZone,
          })}
        </p>
      )}
      <div class="filters">
        <button
          type="button"
          onClick={() => {
            setYear(year - 1);
          }}
          aria-label={t('admin.prevYear')}
        >
          ‹ {year - 1}
        </button>
        <strong aria-live="polite">{year}</strong>
        <button
          type="button"
          onClick={() => {
            setYear(year + 1);
          }}
          aria-label={t('admin.nextYear')}
        >
          {year + 1} ›
        </button>
      </div>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('admin.date')}</th>
              <th scope="col">{t('admin.dayName')}</th>
              <th scope="col">{t('admin.kind')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {[
              ...(cal.data?.holidays ?? []),
              ...(cal.data?.overrides ?? []).filter(
                (o) => o.kind === 'WORKING_DAY' && o.date.startsWith(`${String(year)}-`),
              ),
            ]
              .sort((a, b) => a.date.localeCompare(b.date))
              .map((h) => (
                <tr key={`${h.date}-${h.kind}`}>
                  <td>{h.date}</td>
                  <td>{h.name}</td>
                  <td>{tOr(`admin.dayKind.${h.kind}`, h.kind)}</td>
                  <td>
                    {own.has(h.date) && (
                      <button
                        type="button"
                        aria-label={`${t('admin.removeDay')} ${h.date}`}
                        onClick={() => void run(api('DELETE', `/offices/holidays/${h.date}`))}
                      >
                        {t('admin.removeDay')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <form class="filters" onSubmit={(e) => void save(e)} aria-label={t('admin.newDay')}>
        <TextField
          label={t('admin.date')}
          type="date"
          value={form.date}
          onInput={(v) => {
            setForm({ ...form, date: v });
          }}
          required
        />
        <TextField
          label={t('admin.dayName')}
          value={form.name}
          onInput={(v) => {
            setForm({ ...form, name: v });
          }}
          required
        />
        <SelectField
          label={t('admin.kind')}
          value={form.kind}
          onChange={(v) => {
            setForm({ ...form, kind: v });
          }}
          options={kindOptions}
        />
        <div class="field">
          <button type="submit" class="primary">
            {t('admin.saveDay')}
          </button>
        </div>
      </form>
    </Section>
  );
}

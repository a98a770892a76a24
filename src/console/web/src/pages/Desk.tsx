import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDateTime, t, useLang } from '../i18n';
import { Link, navigate } from '../router';
import type { StaffRole, User } from '../session';
import type { Guest, ServiceQueue } from '../types';
import {
  ErrorBox,
  Loading,
  Section,
  SelectField,
  TextField,
  useAsync,
  useDraft,
  useInterval,
} from '../ui';

const GUEST_WRITERS: StaffRole[] = ['FRONT_OFFICE', 'SUPERVISOR'];
const services = ['RESET_PASSWORD', 'USER_ID_INFO', 'OTHER'] as const;

interface QueueView {
  day: string;
  services: ServiceQueue[];
  guests: Guest[];
}

/** The front office: the guest book form, today's queue, and the desk's call-next. */
export function DeskPage({ user }: { user: User }) {
  useLang();
  const queue = useAsync(() => api<QueueView>('GET', '/queue'), []);
  useInterval(queue.reload, 10_000);
  return (
    <div class="desk">
      <h1>{t('desk.title')}</h1>
      <div class="desk-grid">
        {GUEST_WRITERS.includes(user.role) && <GuestBookForm onAdded={queue.reload} />}
        <CallPanel queue={queue.data} onChange={queue.reload} />
      </div>
      <Section title={t('desk.today')} id="today">
        <ErrorBox error={queue.error} />
        {queue.loading && !queue.data ? (
          <Loading />
        ) : (
          queue.data && <GuestTable guests={queue.data.guests} onChange={queue.reload} />
        )}
      </Section>
    </div>
  );
}

function GuestBookForm({ onAdded }: { onAdded: () => void }) {
  const [v, update, reset] = useDraft('guestbook', {
    name: '',
    agency: '',
    service: 'RESET_PASSWORD',
    phone: '',
    purpose: '',
  });
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<{
    guest: Guest;
    waitingAhead: number;
    estimatedWaitMinutes: number;
  } | null>(null);
  const orNull = (s: string) => (s.trim() ? s.trim() : null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ guest: Guest; waitingAhead: number; estimatedWaitMinutes: number }>(
        'POST',
        '/queue/guests',
        {
          json: {
            name: v.name.trim(),
            agency: orNull(v.agency),
            service: v.service,
            phone: orNull(v.phone),
            purpose: orNull(v.purpose),
          },
        },
      );
      setIssued(r);
      reset();
      onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('desk.guestBook')} id="guestbook">
      <form class="grid-form" onSubmit={(e) => void submit(e)} aria-label={t('desk.guestBook')}>
        <TextField
          label={t('desk.name')}
          value={v.name}
          onInput={(x) => {
            update({ name: x });
          }}
          required
          autoComplete="off"
        />
        <TextField
          label={t('desk.agency')}
          value={v.agency}
          onInput={(x) => {
            update({ agency: x });
          }}
          autoComplete="off"
        />
        <SelectField
          label={t('desk.service')}
          value={v.service}
          onChange={(x) => {
            update({ service: x });
          }}
          options={services.map((s) => ({ value: s, label: t(`service.${s}`) }))}
        />
        <TextField
          label={t('desk.phone')}
          value={v.phone}
          onInput={(x) => {
            update({ phone: x });
          }}
          type="tel"
          autoComplete="off"
        />
        <TextField
          label={t('desk.purpose')}
          value={v.purpose}
          onInput={(x) => {
            update({ purpose: x });
          }}
          wide
          autoComplete="off"
        />
        <ErrorBox error={error} />
        <div class="buttons wide">
          <button type="submit" class="primary">
            {t('desk.issue')}
          </button>
        </div>
      </form>
      {issued && (
        <div class="issued" role="status">
          <span>{t('desk.issuedNumber')}</span>
          <strong class="big-number" data-testid="issued-number">
            {issued.guest.queueNumber}
          </strong>
          <span>
            {t('desk.ahead', { n: issued.waitingAhead, min: issued.estimatedWaitMinutes })}
          </span>
          {issued.guest.duplicatePhone && <span class="warn">{t('desk.duplicatePhone')}</span>}
        </div>
      )}
    </Section>
  );
}

function CallPanel({ queue, onChange }: { queue: QueueView | undefined; onChange: () => void }) {
  const [desk, setDesk] = useState(() => localStorage.getItem('loket.desk') ?? 'Loket 1');
  const [service, setService] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [called, setCalled] = useState<Guest | null>(null);
  const callNext = async () => {
    setError(null);
    localStorage.setItem('loket.desk', desk);
    try {
      const g = await api<Guest>('POST', '/queue/call-next', {
        json: { desk: desk.trim(), ...(service ? { service } : {}) },
      });
      setCalled(g);
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('desk.call')} id="call">
      <ul class="stats">
        {(queue?.services ?? []).map((s) => (
          <li key={s.service}>
            <strong>{s.waiting}</strong>
            <span>
              {t(`service.${s.service}`)} ({s.prefix}) ·{' '}
              {t('desk.estimate', { min: s.estimatedWaitMinutes })}
            </span>
          </li>
        ))}
      </ul>
      <div class="grid-form">
        <TextField label={t('desk.deskName')} value={desk} onInput={setDesk} />
        <SelectField
          label={t('desk.service')}
          value={service}
          onChange={setService}
          options={[
            { value: '', label: t('desk.anyService') },
            ...services.map((s) => ({ value: s, label: t(`service.${s}`) })),
          ]}
        />
      </div>
      <button
        type="button"
        class="primary big"
        disabled={!desk.trim()}
        onClick={() => void callNext()}
      >
        {t('desk.callNext')}
      </button>
      <ErrorBox error={error} />
      {called && (
        <p role="status" class="issued">
          {t('desk.calledNow')}{' '}
          <strong class="big-number" data-testid="called-number">
            {called.queueNumber}
          </strong>{' '}
          — {called.name}
        </p>
      )}
    </Section>
  );
}

function GuestTable({ guests, onChange }: { guests: Guest[]; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const act = async (g: Guest, action: 'recall' | 'no-show' | 'serve' | 'done') => {
    setError(null);
    try {
      const r = await api<Guest>('POST', `/queue/guests/${g.id}/${action}`);
      onChange();
      if (action === 'serve' && r.ticketId) navigate(`/tickets/${r.ticketId}`);
    } catch (err) {
      setError(err);
    }
  };
  if (guests.length === 0) return <p class="muted">{t('desk.empty')}</p>;
  return (
    <>
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table class="guests">
          <thead>
            <tr>
              <th scope="col">{t('desk.number')}</th>
              <th scope="col">{t('desk.name')}</th>
              <th scope="col">{t('desk.service')}</th>
              <th scope="col">{t('desk.status')}</th>
              <th scope="col">{t('desk.deskName')}</th>
              <th scope="col">{t('desk.time')}</th>
              <th scope="col">{t('desk.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {guests.map((g) => (
              <tr key={g.id} data-number={g.queueNumber} class={`g-${g.status.toLowerCase()}`}>
                <td>
                  <strong>{g.queueNumber}</strong>
                </td>
                <td>
                  {g.name}
                  {g.agency && <div class="muted">{g.agency}</div>}
                  {g.duplicatePhone && <div class="warn">{t('desk.duplicatePhone')}</div>}
                </td>
                <td>{t(`service.${g.service}`)}</td>
                <td>{t(`guest.${g.status}`)}</td>
                <td>{g.desk ?? '—'}</td>
                <td>{formatDateTime(g.calledAt ?? g.createdAt)}</td>
                <td>
                  <div class="row-actions">
                    {g.status === 'CALLED' && (
                      <>
                        <button type="button" class="primary" onClick={() => void act(g, 'serve')}>
                          {t('desk.serve')}
                        </button>
                        <button type="button" onClick={() => void act(g, 'recall')}>
                          {t('desk.recall')}
                        </button>
                        <button type="button" onClick={() => void act(g, 'no-show')}>
                          {t('desk.noShow')}
                        </button>
                      </>
                    )}
                    {g.status === 'SERVING' && (
                      <>
                        {g.ticketId && (
                          <Link href={`/tickets/${g.ticketId}`}>{t('desk.openTicket')}</Link>
                        )}
                        <button type="button" onClick={() => void act(g, 'done')}>
                          {t('desk.done')}
                        </button>
                      </>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

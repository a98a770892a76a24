import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDateTime, t, tOr, useLang } from '../i18n';
import { Link } from '../router';
import type { User } from '../session';
import { ErrorBox, Loading, SelectField, useAsync, useChange } from '../ui';

interface InboundEmail {
  id: string;
  source: 'SMTP' | 'IMAP';
  status: string;
  detail: string | null;
  sizeBytes: number;
  ticketId: string | null;
  ticketCode: string | null;
  rejectedFiles: number;
  attempts: number;
  receivedAt: string;
  rawDeletedAt: string | null;
}
interface Page {
  counts: Record<string, number>;
  items: InboundEmail[];
  nextCursor: string | null;
}

const statuses = [
  'RECEIVED',
  'TICKET_CREATED',
  'THREAD_JOINED',
  'BOUNCE',
  'IGNORED_AUTOMATIC',
  'IGNORED_LOOP',
  'REJECTED_MALFORMED',
  'FAILED',
];

/**
 * What the email intake did with each mail (SUPERVISOR, AUDITOR): outcome, reason code and the
 * ticket; a SUPERVISOR sends a failed mail through the intake again.
 */
export function MailPage({ user }: { user: User }) {
  useLang();
  const [status, setStatus] = useState('');
  const [more, setMore] = useState<InboundEmail[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = status ? `status=${status}&limit=50` : 'limit=50';
  const list = useAsync(async () => {
    const r = await api<Page>('GET', `/inbound-emails?${key}`);
    setMore([]);
    setCursor(r.nextCursor);
    return r;
  }, [key]);
  const change = useChange(list.reload);
  const next = async () => {
    if (!cursor) return;
    try {
      const r = await api<Page>(
        'GET',
        `/inbound-emails?${key}&cursor=${encodeURIComponent(cursor)}`,
      );
      setMore((m) => [...m, ...r.items]);
      setCursor(r.nextCursor);
    } catch (err) {
      setError(err);
    }
  };
  const label = (s: string) => tOr(`mail.status.${s}`, s);
  const counts = list.data?.counts ?? {};
  return (
    <div>
      <h1>{t('mail.title')}</h1>
      <p class="muted">{t('mail.intro')}</p>
      <ul class="stats" aria-label={t('mail.counts')}>
        {statuses
          .filter((s) => (counts[s] ?? 0) > 0)
          .map((s) => (
            <li key={s}>
              <strong>{counts[s]}</strong>
              <span>{label(s)}</span>
            </li>
          ))}
      </ul>
      <form
        class="filters"
        aria-label={t('tickets.filters')}
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <SelectField
          label={t('mail.status')}
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t('common.all') },
            ...statuses.map((s) => ({ value: s, label: label(s) })),
          ]}
        />
      </form>
      <ErrorBox error={list.error ?? change.error ?? error} />
      {list.loading && !list.data && <Loading />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('mail.received')}</th>
              <th scope="col">{t('mail.source')}</th>
              <th scope="col">{t('mail.status')}</th>
              <th scope="col">{t('mail.reason')}</th>
              <th scope="col">{t('mail.ticket')}</th>
              <th scope="col">{t('mail.size')}</th>
              <th scope="col">
                <span class="sr-only">{t('mail.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...(list.data?.items ?? []), ...more].map((m) => (
              <tr key={m.id} class={m.status === 'FAILED' ? 'breached' : undefined}>
                <td>{formatDateTime(m.receivedAt)}</td>
                <td>{m.source}</td>
                <td>{label(m.status)}</td>
                <td>
                  {m.detail ? <code>{m.detail}</code> : ''}
                  {m.rejectedFiles > 0 ? ` ${t('mail.refusedFiles', { n: m.rejectedFiles })}` : ''}
                  {m.rawDeletedAt ? ` ${t('mail.rawDeleted')}` : ''}
                </td>
                <td>
                  {m.ticketId && m.ticketCode ? (
                    <Link href={`/tickets/${m.ticketId}`}>{m.ticketCode}</Link>
                  ) : (
                    ''
                  )}
                </td>
                <td>{`${String(Math.max(1, Math.round(m.sizeBytes / 1024)))} KB`}</td>
                <td>
                  {m.status === 'FAILED' && user.role === 'SUPERVISOR' && (
                    <button
                      type="button"
                      onClick={() =>
                        void change.run(api('POST', `/inbound-emails/${m.id}/retry`, { json: {} }))
                      }
                    >
                      {t('mail.retry')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data?.items.length === 0 && <p>{t('mail.empty')}</p>}
      {cursor && (
        <button type="button" onClick={() => void next()}>
          {t('common.more')}
        </button>
      )}
    </div>
  );
}

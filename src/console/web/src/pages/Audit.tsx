import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDateTime, t, useLang } from '../i18n';
import { ErrorBox, Loading, TextField, useAsync } from '../ui';

interface AuditEvent {
  id: string;
  at: string;
  actorType: string;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** The audit trail, read-only: filter by action or target; keyset pages. */
export function AuditPage() {
  useLang();
  const [action, setAction] = useState('');
  const [targetId, setTargetId] = useState('');
  const [more, setMore] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const qs = new URLSearchParams({ limit: '50' });
  if (action.trim()) qs.set('action', action.trim());
  if (targetId.trim()) qs.set('targetId', targetId.trim());
  const key = qs.toString();
  const list = useAsync(async () => {
    const r = await api<{ items: AuditEvent[]; nextCursor: string | null }>(
      'GET',
      `/audit-events?${key}`,
    );
    setMore([]);
    setCursor(r.nextCursor);
    return r.items;
  }, [key]);
  const next = async () => {
    if (!cursor) return;
    try {
      const r = await api<{ items: AuditEvent[]; nextCursor: string | null }>(
        'GET',
        `/audit-events?${key}&cursor=${encodeURIComponent(cursor)}`,
      );
      setMore((m) => [...m, ...r.items]);
      setCursor(r.nextCursor);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <h1>{t('audit.title')}</h1>
      <form
        class="filters"
        aria-label={t('tickets.filters')}
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <TextField label={t('audit.action')} value={action} onInput={setAction} />
        <TextField label={t('audit.target')} value={targetId} onInput={setTargetId} />
      </form>
      <ErrorBox error={list.error ?? error} />
      {list.loading && !list.data && <Loading />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('desk.time')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.target')}</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            {[...(list.data ?? []), ...more].map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actorLabel ?? e.actorType}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.targetType ?? ''} {e.targetId ? <code>{e.targetId.slice(0, 8)}</code> : ''}
                </td>
                <td>{e.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" onClick={() => void next()}>
          {t('common.more')}
        </button>
      )}
    </div>
  );
}

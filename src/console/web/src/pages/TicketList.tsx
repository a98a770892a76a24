import { useState } from 'preact/hooks';
import { api } from '../api';
import { t, tOr, useLang } from '../i18n';
import { Link, navigate, useRoute } from '../router';
import type { User } from '../session';
import { allSteps, type TicketSummary } from '../types';
import {
  DeadlineClock,
  ErrorBox,
  Loading,
  SelectField,
  StepBadge,
  TextField,
  useAsync,
} from '../ui';

interface Page {
  items: TicketSummary[];
  nextCursor: string | null;
}

const FILTERS = ['step', 'type', 'channel', 'breached', 'open', 'code'] as const;

export function TicketTable({ items }: { items: TicketSummary[] }) {
  if (items.length === 0) return <p class="muted">{t('tickets.none')}</p>;
  return (
    <div class="table-wrap">
      <table class="tickets">
        <thead>
          <tr>
            <th scope="col">{t('tickets.code')}</th>
            <th scope="col">{t('tickets.requester')}</th>
            <th scope="col">{t('tickets.type')}</th>
            <th scope="col">{t('tickets.channel')}</th>
            <th scope="col">{t('tickets.step')}</th>
            <th scope="col">{t('tickets.deadline')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((row) => (
            <tr key={row.id} class={row.stepBreached ? 'breached' : undefined}>
              <td>
                <Link href={`/tickets/${row.id}`}>{row.code}</Link>
              </td>
              <td>{row.requesterName}</td>
              <td>{row.type ? tOr(`type.${row.type}`, row.type) : t('type.unclassified')}</td>
              <td>{tOr(`channel.${row.channel}`, row.channel)}</td>
              <td>
                <StepBadge step={row.step} label={row.stepLabel} />
              </td>
              <td>
                {row.closedAt ? (
                  <span class="muted">{t('tickets.closed')}</span>
                ) : (
                  <DeadlineClock dueAt={row.stepDueAt} breached={row.stepBreached} />
                )}
                {row.stepBreached && <span class="sr-only">{t('tickets.breached')}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TicketListPage({ user }: { user: User }) {
  useLang();
  const { query } = useRoute();
  const [extra, setExtra] = useState<TicketSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const qs = new URLSearchParams();
  for (const f of FILTERS) if (filters[f]) qs.set(f, filters[f]);
  const key = qs.toString();
  const { data, error, loading } = useAsync(async () => {
    const page = await api<Page>('GET', `/tickets?limit=50${key ? `&${key}` : ''}`);
    setExtra([]);
    setCursor(page.nextCursor);
    return page;
  }, [key]);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(key);
    if (value) next.set(name, value);
    else next.delete(name);
    const s = next.toString();
    navigate(`/tickets${s ? `?${s}` : ''}`, true);
  };

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await api<Page>(
        'GET',
        `/tickets?limit=50&cursor=${encodeURIComponent(cursor)}${key ? `&${key}` : ''}`,
      );
      setExtra((e) => [...e, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(err);
    }
  };

  const any = { value: '', label: t('common.all') };
  return (
    <div>
      <h1>{t('tickets.title')}</h1>
      {user.role === 'FRONT_OFFICE' && <p class="muted">{t('tickets.walkInOnly')}</p>}
      <form
        class="filters"
        aria-label={t('tickets.filters')}
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <SelectField
          label={t('tickets.step')}
          value={filters.step}
          onChange={(v) => {
            setFilter('step', v);
          }}
          options={[any, ...allSteps.map((s) => ({ value: s, label: tOr(`step.${s}`, s) }))]}
        />
        <SelectField
          label={t('tickets.type')}
          value={filters.type}
          onChange={(v) => {
            setFilter('type', v);
          }}
          options={[
            any,
            { value: 'RESET_PASSWORD', label: t('type.RESET_PASSWORD') },
            { value: 'USER_ID_INFO', label: t('type.USER_ID_INFO') },
          ]}
        />
        <SelectField
          label={t('tickets.channel')}
          value={filters.channel}
          onChange={(v) => {
            setFilter('channel', v);
          }}
          options={[
            any,
            ...['WALK_IN', 'EMAIL', 'WHATSAPP', 'API'].map((c) => ({
              value: c,
              label: tOr(`channel.${c}`, c),
            })),
          ]}
        />
        <SelectField
          label={t('tickets.state')}
          value={filters.open}
          onChange={(v) => {
            setFilter('open', v);
          }}
          options={[
            any,
            { value: 'true', label: t('tickets.open') },
            { value: 'false', label: t('tickets.archived') },
          ]}
        />
        <SelectField
          label={t('tickets.breachFilter')}
          value={filters.breached}
          onChange={(v) => {
            setFilter('breached', v);
          }}
          options={[
            any,
            { value: 'true', label: t('tickets.breachedOnly') },
            { value: 'false', label: t('tickets.onTime') },
          ]}
        />
        <TextField
          label={t('tickets.code')}
          value={filters.code}
          onInput={(v) => {
            setFilter('code', v.trim());
          }}
        />
      </form>
      <ErrorBox error={error} />
      {loading && !data ? <Loading /> : data && <TicketTable items={[...data.items, ...extra]} />}
      <ErrorBox error={moreError} />
      {cursor && (
        <button type="button" onClick={() => void more()}>
          {t('common.more')}
        </button>
      )}
    </div>
  );
}

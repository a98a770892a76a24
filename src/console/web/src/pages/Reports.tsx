import { useState } from 'preact/hooks';
import { api, download } from '../api';
import { formatDateTime, lang, t, tOr, useLang } from '../i18n';
import { Link } from '../router';
import { ErrorBox, Loading, Section, TextField, useAsync } from '../ui';

interface Label {
  id: string;
  en: string;
}
interface StepRow {
  workflowId: string;
  workflowName: Label | null;
  step: string;
  label: Label;
  ended: number;
  medianWorkingMinutes: number | null;
  shareWithinStandard: number | null;
}
interface Volume {
  totals: { created: number; closed: number };
  byChannel: { channel: string; created: number; closed: number }[];
  byType: { type: string; created: number; closed: number }[];
}
interface Breach {
  ticketId: string;
  code: string;
  step: string;
  label: Label;
  channel: string;
  dueAt: string;
  lateMinutes: number;
}

const label = (l: Label | null) => (l ? (lang.get() === 'en' ? l.en : l.id) : '');

/** Horizontal bars as inline SVG: one row per item, the value as text too (not colour alone). */
function Bars(props: {
  rows: { key: string; label: string; value: number; text: string }[];
  max: number;
  title: string;
  labelWidth?: number;
  barWidth?: number;
}) {
  const rowH = 28;
  const labelW = props.labelWidth ?? 260;
  const barW = props.barWidth ?? 360;
  // About 7 units per character at 13px: cut what would not fit beside the bar.
  const maxChars = Math.floor((labelW - 12) / 7);
  const h = props.rows.length * rowH + 4;
  return (
    <svg
      class="bars"
      width={labelW + barW + 70}
      viewBox={`0 0 ${labelW + barW + 70} ${h}`}
      role="img"
      aria-label={props.title}
      preserveAspectRatio="xMinYMin meet"
    >
      {props.rows.map((r, i) => {
        const w = props.max > 0 ? Math.max(1, (r.value / props.max) * barW) : 0;
        const y = i * rowH + 2;
        return (
          <g key={r.key}>
            <text x={labelW - 8} y={y + rowH / 2 + 5} text-anchor="end" class="bar-label">
              {r.label.length > maxChars ? `${r.label.slice(0, maxChars - 1)}…` : r.label}
              <title>{r.label}</title>
            </text>
            <rect x={labelW} y={y + 4} width={barW} height={rowH - 8} class="bar-bg" />
            <rect
              x={labelW}
              y={y + 4}
              width={w}
              height={rowH - 8}
              class={r.value / (props.max || 1) < 0.8 && props.max === 1 ? 'bar low' : 'bar'}
            />
            <text x={labelW + barW + 6} y={y + rowH / 2 + 5} class="bar-value">
              {r.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function ReportsPage() {
  useLang();
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date(Date.now() + 86_400_000)));
  const range = `from=${encodeURIComponent(`${from}T00:00:00.000Z`)}&to=${encodeURIComponent(`${to}T00:00:00.000Z`)}`;
  const steps = useAsync(
    () => api<{ items: StepRow[] }>('GET', `/reports/steps?${range}`),
    [range],
  );
  const volume = useAsync(() => api<Volume>('GET', `/reports/volume?${range}`), [range]);
  const breaches = useAsync(
    () => api<{ items: Breach[] }>('GET', `/reports/breaches?${range}&limit=50`),
    [range],
  );
  const [error, setError] = useState<unknown>(null);
  const csv = (report: string) => {
    setError(null);
    download(`/reports/${report}?${range}&format=csv`, `loket-${report}-${from}-${to}.csv`).catch(
      setError,
    );
  };
  const stepRows = (steps.data?.items ?? []).filter((s) => s.shareWithinStandard !== null);

  return (
    <div>
      <h1>{t('reports.title')}</h1>
      <form
        class="filters"
        aria-label={t('reports.range')}
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <TextField label={t('reports.from')} type="date" value={from} onInput={setFrom} />
        <TextField label={t('reports.to')} type="date" value={to} onInput={setTo} />
      </form>
      <ErrorBox error={error} />
      <Section
        title={t('reports.steps')}
        id="rep-steps"
        actions={
          <button
            type="button"
            onClick={() => {
              csv('steps');
            }}
          >
            {t('reports.csv')}
          </button>
        }
      >
        <ErrorBox error={steps.error} />
        {steps.loading && !steps.data && <Loading />}
        {steps.data && stepRows.length === 0 && <p class="muted">{t('reports.empty')}</p>}
        {[...new Set(stepRows.map((s) => s.workflowId))].map((wf) => {
          const rows = stepRows.filter((s) => s.workflowId === wf);
          const name = label(rows[0]?.workflowName ?? null) || wf;
          return (
            <figure key={wf} class="chart">
              <figcaption>{name}</figcaption>
              <Bars
                title={`${t('reports.steps')}: ${name}`}
                max={1}
                rows={rows.map((s) => ({
                  key: s.step,
                  label: label(s.label),
                  value: s.shareWithinStandard ?? 0,
                  text: `${String(Math.round((s.shareWithinStandard ?? 0) * 100))}% (${String(s.ended)})`,
                }))}
              />
            </figure>
          );
        })}
      </Section>
      <Section
        title={t('reports.volume')}
        id="rep-volume"
        actions={
          <button
            type="button"
            onClick={() => {
              csv('volume');
            }}
          >
            {t('reports.csv')}
          </button>
        }
      >
        <ErrorBox error={volume.error} />
        {volume.data && (
          <>
            <p>
              {t('reports.totals', {
                created: volume.data.totals.created,
                closed: volume.data.totals.closed,
              })}
            </p>
            <div class="two">
              <figure class="chart">
                <figcaption>{t('reports.byChannel')}</figcaption>
                <Bars
                  labelWidth={150}
                  barWidth={260}
                  title={t('reports.byChannel')}
                  max={Math.max(1, ...volume.data.byChannel.map((c) => c.created))}
                  rows={volume.data.byChannel.map((c) => ({
                    key: c.channel,
                    label: tOr(`channel.${c.channel}`, c.channel),
                    value: c.created,
                    text: String(c.created),
                  }))}
                />
              </figure>
              <figure class="chart">
                <figcaption>{t('reports.byType')}</figcaption>
                <Bars
                  labelWidth={150}
                  barWidth={260}
                  title={t('reports.byType')}
                  max={Math.max(1, ...volume.data.byType.map((c) => c.created))}
                  rows={volume.data.byType.map((c) => ({
                    key: c.type,
                    label: tOr(`type.${c.type}`, c.type),
                    value: c.created,
                    text: String(c.created),
                  }))}
                />
              </figure>
            </div>
          </>
        )}
      </Section>
      <Section
        title={t('reports.breaches')}
        id="rep-breaches"
        actions={
          <button
            type="button"
            onClick={() => {
              csv('breaches');
            }}
          >
            {t('reports.csv')}
          </button>
        }
      >
        <ErrorBox error={breaches.error} />
        {breaches.data?.items.length === 0 && <p class="muted">{t('reports.noBreaches')}</p>}
        {breaches.data && breaches.data.items.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('tickets.code')}</th>
                  <th scope="col">{t('tickets.step')}</th>
                  <th scope="col">{t('tickets.channel')}</th>
                  <th scope="col">{t('reports.due')}</th>
                  <th scope="col">{t('reports.late')}</th>
                </tr>
              </thead>
              <tbody>
                {breaches.data.items.map((b) => (
                  <tr key={`${b.ticketId}/${b.step}/${b.dueAt}`} class="breached">
                    <td>
                      <Link href={`/tickets/${b.ticketId}`}>{b.code}</Link>
                    </td>
                    <td>{label(b.label)}</td>
                    <td>{tOr(`channel.${b.channel}`, b.channel)}</td>
                    <td>{formatDateTime(b.dueAt)}</td>
                    <td>{t('reports.lateMinutes', { n: b.lateMinutes })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

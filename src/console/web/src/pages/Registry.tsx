import { useState } from 'preact/hooks';
import { api, uploadWithProgress } from '../api';
import { formatDateTime, t, useLang, type MessageKey } from '../i18n';
import { Link } from '../router';
import type { StaffRole, User } from '../session';
import { ErrorBox, Field, Loading, Section, SelectField, TextField, useAsync } from '../ui';

interface Entry {
  id: string;
  userId: string;
  fullName: string;
  nikMasked: string;
  nik?: string;
  nip: string | null;
  spseRole: string;
  spseRoleLabel: string;
  agency: string;
  unit: string | null;
  email: string | null;
  phone: string | null;
  birthPlace: string | null;
  birthDate: string | null;
  skReference: string | null;
  source: string;
  updatedAt: string;
}

interface ImportReport {
  importId: string;
  totalRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errorRows: number;
  errors: { line: number; field: string; reason: string }[];
  errorsTruncated: boolean;
}

interface ImportSummary {
  id: string;
  fileName: string;
  totalRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errorRows: number;
  finished: boolean;
  createdAt: string;
}

const IMPORTERS: StaffRole[] = ['ADMIN_PPE', 'SUPERVISOR'];
const IMPORT_READERS: StaffRole[] = ['ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'];
const criteria = ['namePrefix', 'userId', 'nip', 'nik', 'email', 'phone'] as const;

export function RegistryPage({ user }: { user: User }) {
  useLang();
  const [by, setBy] = useState<(typeof criteria)[number]>('namePrefix');
  const [value, setValue] = useState('');
  const [result, setResult] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const search = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      // Criteria go in the body, never the URL (an NIK in a query string would reach logs).
      const r = await api<{ items: Entry[] }>('POST', '/registry/search', {
        json: { [by]: value.trim(), limit: 50 },
      });
      setResult(r.items);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <h1>{t('registry.title')}</h1>
      <Section title={t('registry.search')} id="reg-search">
        <form class="filters" onSubmit={(e) => void search(e)} aria-label={t('registry.search')}>
          <SelectField
            label={t('registry.by')}
            value={by}
            onChange={(v) => {
              setBy(v as (typeof criteria)[number]);
            }}
            options={criteria.map((c) => ({ value: c, label: t(`registry.by.${c}`) }))}
          />
          <TextField label={t('registry.value')} value={value} onInput={setValue} required />
          <div class="field">
            <button type="submit" class="primary">
              {t('registry.searchSubmit')}
            </button>
          </div>
        </form>
        <ErrorBox error={error} />
        {result?.length === 0 && <p class="muted">{t('registry.none')}</p>}
        {result && result.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('requester.userId')}</th>
                  <th scope="col">{t('requester.name')}</th>
                  <th scope="col">{t('requester.nik')}</th>
                  <th scope="col">{t('requester.spseRole')}</th>
                  <th scope="col">{t('requester.agency')}</th>
                </tr>
              </thead>
              <tbody>
                {result.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link href={`/registry/${r.id}`}>{r.userId}</Link>
                    </td>
                    <td>{r.fullName}</td>
                    <td>{r.nikMasked}</td>
                    <td>{r.spseRoleLabel}</td>
                    <td>{r.agency}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {IMPORTERS.includes(user.role) && <ImportForm />}
      {IMPORT_READERS.includes(user.role) && <ImportList />}
    </div>
  );
}

export function RegistryEntryPage({ id }: { id: string; user: User }) {
  useLang();
  const entry = useAsync(() => api<Entry>('GET', `/registry/entries/${id}`), [id]);
  const e = entry.data;
  const rows: [MessageKey, string | null][] = e
    ? [
        ['requester.userId', e.userId],
        ['requester.name', e.fullName],
        // The full NIK only when the API gives it to this role (and audits the view).
        ['requester.nik', e.nik ?? e.nikMasked],
        ['requester.nip', e.nip],
        ['requester.spseRole', e.spseRoleLabel],
        ['requester.agency', e.agency],
        ['registry.unit', e.unit],
        ['requester.email', e.email],
        ['requester.phone', e.phone],
        ['registry.birth', [e.birthPlace, e.birthDate].filter(Boolean).join(', ') || null],
        ['registry.sk', e.skReference],
        ['registry.source', e.source],
        ['registry.updated', formatDateTime(e.updatedAt)],
      ]
    : [];
  return (
    <div>
      <p>
        <Link href="/registry">← {t('registry.title')}</Link>
      </p>
      <h1>{t('registry.entry')}</h1>
      <ErrorBox error={entry.error} />
      {entry.loading && !e && <Loading />}
      {e && (
        <Section title={e.fullName} id="entry">
          <dl class="pairs">
            {rows.map(([k, v]) => (
              <div key={k}>
                <dt>{t(k)}</dt>
                <dd>{v ?? '—'}</dd>
              </div>
            ))}
          </dl>
        </Section>
      )}
    </div>
  );
}

function ImportForm() {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);

  /** XMLHttpRequest for the upload's progress events (fetch has none for request bodies). */
  const upload = (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setReport(null);
    setProgress(0);
    const form = new FormData();
    form.append('file', file, file.name);
    uploadWithProgress('/registry/imports', form, (p) => {
      setProgress(p);
    }).then(
      (r) => {
        setReport(r as ImportReport);
        setProgress(null);
      },
      (err: unknown) => {
        setError(err);
        setProgress(null);
      },
    );
  };
  return (
    <Section title={t('registry.import')} id="reg-import">
      <form class="filters" onSubmit={upload} aria-label={t('registry.import')}>
        <Field label={t('registry.csvFile')}>
          {(fid) => (
            <input
              id={fid}
              type="file"
              accept=".csv,text/csv"
              onChange={(ev) => {
                setFile(ev.currentTarget.files?.[0] ?? null);
              }}
            />
          )}
        </Field>
        <div class="field">
          <button type="submit" class="primary" disabled={!file || progress !== null}>
            {t('registry.importSubmit')}
          </button>
        </div>
      </form>
      {progress !== null && (
        <p>
          <label>
            {progress < 1 ? t('registry.uploading') : t('registry.processing')}{' '}
            <progress value={progress < 1 ? progress : undefined} max={1} />
          </label>
        </p>
      )}
      <ErrorBox error={error} />
      {report && (
        <div role="status">
          <p>
            {t('registry.report', {
              total: report.totalRows,
              inserted: report.inserted,
              updated: report.updated,
              unchanged: report.unchanged,
              errors: report.errorRows,
            })}
          </p>
          <ErrorRows errors={report.errors} truncated={report.errorsTruncated} />
        </div>
      )}
    </Section>
  );
}

function ErrorRows({ errors, truncated }: { errors: ImportReport['errors']; truncated: boolean }) {
  if (errors.length === 0) return null;
  return (
    <div class="table-wrap">
      <table>
        <caption>{t('registry.errors')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('registry.line')}</th>
            <th scope="col">{t('registry.column')}</th>
            <th scope="col">{t('registry.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={i}>
              <td>{e.line}</td>
              <td>{e.field}</td>
              <td>{e.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {truncated && <p class="muted">{t('registry.truncated')}</p>}
    </div>
  );
}

function ImportList() {
  const list = useAsync(() => api<ImportSummary[]>('GET', '/registry/imports?limit=20'), []);
  const [open, setOpen] = useState<string | null>(null);
  const detail = useAsync(
    () =>
      open
        ? api<{ errors: ImportReport['errors']; errorsTruncated?: boolean }>(
            'GET',
            `/registry/imports/${open}`,
          )
        : Promise.resolve(null),
    [open],
  );
  return (
    <Section title={t('registry.imports')} id="reg-imports">
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('registry.file')}</th>
              <th scope="col">{t('desk.time')}</th>
              <th scope="col">{t('registry.rows')}</th>
              <th scope="col">{t('registry.errorRows')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((i) => (
              <tr key={i.id}>
                <td>{i.fileName}</td>
                <td>{formatDateTime(i.createdAt)}</td>
                <td>
                  {i.totalRows} (+{i.inserted} ~{i.updated} ={i.unchanged})
                </td>
                <td>{i.errorRows}</td>
                <td>
                  {i.errorRows > 0 && (
                    <button
                      type="button"
                      onClick={() => {
                        setOpen(open === i.id ? null : i.id);
                      }}
                    >
                      {t('registry.showErrors')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {detail.data && (
        <ErrorRows errors={detail.data.errors} truncated={detail.data.errorsTruncated ?? false} />
      )}
    </Section>
  );
}

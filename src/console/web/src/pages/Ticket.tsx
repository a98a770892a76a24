import { useEffect, useState } from 'preact/hooks';
import { api, blobUrl } from '../api';
import { formatDateTime, t, tOr, useLang, type MessageKey } from '../i18n';
import { Link } from '../router';
import type { StaffRole, User } from '../session';
import { documentKinds, type FieldComparison, type TicketDetail } from '../types';
import {
  DeadlineClock,
  ErrorBox,
  Field,
  Loading,
  Section,
  SelectField,
  StepBadge,
  TextField,
  useAsync,
  useDraft,
} from '../ui';

const spseRoles = [
  'ADMIN_AGENCY',
  'AUDITOR',
  'PPK',
  'POKJA',
  'HELPDESK',
  'VERIFIKATOR',
  'PP',
  'KUPBJ',
  'PA_KPA',
  'ADMIN_PPE',
];
const FORM_EDITORS: StaffRole[] = ['FRONT_OFFICE', 'HELPDESK'];
const FORM_STEPS = [
  'RECEIVED',
  'COMPLETENESS_CHECK',
  'INCOMPLETE',
  'AWAITING_REQUESTER',
  'READY_TO_FORWARD',
];
const UPLOADERS: StaffRole[] = ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE'];
const REPLIERS: StaffRole[] = ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE'];
const NIK_READERS: StaffRole[] = ['ADMIN_PPE', 'SUPERVISOR'];
const VALIDITY_READERS: StaffRole[] = ['ADMIN_PPE', 'SUPERVISOR'];

type Act = (
  action: string,
  data?: Record<string, unknown>,
  reason?: string | null,
) => Promise<void>;

export function TicketPage({ id, user }: { id: string; user: User }) {
  useLang();
  const [showNik, setShowNik] = useState(false);
  const ticket = useAsync(
    () => api<TicketDetail>('GET', `/tickets/${id}${showNik ? '?includeNik=true' : ''}`),
    [id, showNik],
  );
  // Shown once, kept only in this page's memory: never stored, never fetched again.
  const [temporaryPassword, setTemporaryPassword] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const tk = ticket.data;
  if (!tk) {
    return (
      <div>
        <ErrorBox error={ticket.error} />
        {ticket.loading && <Loading />}
      </div>
    );
  }

  const act: Act = async (action, data, reason) => {
    setBusy(true);
    setActionError(null);
    try {
      const r = await api<{ temporaryPassword?: string }>('POST', `/tickets/${tk.id}/actions`, {
        json: {
          action,
          version: tk.version,
          ...(data ? { data } : {}),
          ...(reason ? { reason } : {}),
        },
      });
      if (r.temporaryPassword) setTemporaryPassword(r.temporaryPassword);
      ticket.reload();
    } catch (err) {
      setActionError(err);
      ticket.reload();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="ticket">
      <p>
        <Link href="/tickets">← {t('tickets.title')}</Link>
      </p>
      <header class="ticket-head">
        <h1>{t('ticket.title', { code: tk.code })}</h1>
        <StepBadge step={tk.step} label={tk.stepLabel} />
        {tk.closedAt ? (
          <span class="muted">{t('tickets.closed')}</span>
        ) : (
          <DeadlineClock dueAt={tk.stepDueAt} breached={tk.stepBreached} />
        )}
        <span class="muted">
          {tk.type ? tOr(`type.${tk.type}`, tk.type) : t('type.unclassified')} ·{' '}
          {tOr(`channel.${tk.channel}`, tk.channel)} · {formatDateTime(tk.createdAt)}
        </span>
      </header>

      {temporaryPassword && (
        <div class="secret" role="alert" aria-labelledby="tmp-title">
          <h2 id="tmp-title">{t('ticket.tempPassword.title')}</h2>
          <p>{t('ticket.tempPassword.once')}</p>
          <output class="password" data-testid="temporary-password">
            {temporaryPassword}
          </output>
          <button
            type="button"
            onClick={() => {
              setTemporaryPassword(null);
            }}
          >
            {t('ticket.tempPassword.done')}
          </button>
        </div>
      )}

      {VALIDITY_READERS.includes(user.role) && <Validity ticket={tk} />}
      <div class="ticket-grid">
        <div class="col">
          <Actions ticket={tk} user={user} act={act} busy={busy} error={actionError} />
          <RequesterPanel
            ticket={tk}
            user={user}
            onSaved={ticket.reload}
            showNik={showNik}
            onShowNik={() => {
              setShowNik(true);
            }}
          />
          <Checklist ticket={tk} />
        </div>
        <div class="col">
          <Documents ticket={tk} user={user} onUploaded={ticket.reload} />
          <Thread ticket={tk} user={user} onSent={ticket.reload} />
          <History ticket={tk} />
        </div>
      </div>
    </div>
  );
}

function Actions(props: {
  ticket: TicketDetail;
  user: User;
  act: Act;
  busy: boolean;
  error: unknown;
}) {
  const { ticket, act, busy } = props;
  const allowed = ticket.allowedActions;
  const present = new Set(ticket.documents.filter((d) => !d.deleted).map((d) => d.kind));
  const [missing, setMissing] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [archiveNumber, setArchiveNumber] = useState('');
  const reasons = useAsync(
    () =>
      allowed.includes('reject')
        ? api<{ code: string; labelId: string; labelEn: string }[]>('GET', '/reject-reasons')
        : Promise.resolve([]),
    [allowed.includes('reject')],
  );
  const [reasonCode, setReasonCode] = useState('');
  const [classifyAs, setClassifyAs] = useState('');

  useEffect(() => {
    setMissing(ticket.requiredDocuments.filter((k) => !present.has(k)));
  }, [ticket.version]);

  if (allowed.length === 0) {
    return (
      <Section title={t('ticket.actions')} id="actions">
        <p class="muted">{t('ticket.noActions')}</p>
      </Section>
    );
  }
  const simple = (action: string, label: MessageKey, data?: Record<string, unknown>) => (
    <button type="button" class="primary" disabled={busy} onClick={() => void act(action, data)}>
      {t(label)}
    </button>
  );

  return (
    <Section title={t('ticket.actions')} id="actions">
      <div class="actions">
        {allowed.includes('classify') && (
          <fieldset>
            <legend>{t('action.classify')}</legend>
            <SelectField
              label={t('action.classifyAs')}
              value={classifyAs}
              onChange={setClassifyAs}
              options={[
                { value: '', label: t('action.chooseType') },
                { value: 'RESET_PASSWORD', label: t('type.RESET_PASSWORD') },
                { value: 'USER_ID_INFO', label: t('type.USER_ID_INFO') },
              ]}
            />
            <button
              type="button"
              class="primary"
              disabled={busy || !classifyAs}
              onClick={() => void act('classify', { type: classifyAs })}
            >
              {t('action.classifySubmit')}
            </button>
          </fieldset>
        )}
        {allowed.includes('open') && simple('open', 'action.open')}
        {allowed.includes('completeness_result') && (
          <fieldset>
            <legend>{t('action.completeness')}</legend>
            {simple('completeness_result', 'action.complete', { complete: true })}
            <p class="muted">{t('action.markMissing')}</p>
            {documentKinds.map((k) => (
              <label key={k} class="check">
                <input
                  type="checkbox"
                  checked={missing.includes(k)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setMissing((m) => (on ? [...m, k] : m.filter((x) => x !== k)));
                  }}
                />
                {t(`doc.${k}`)}
              </label>
            ))}
            <button
              type="button"
              disabled={busy || missing.length === 0}
              onClick={() => void act('completeness_result', { complete: false, missing })}
            >
              {t('action.incomplete')}
            </button>
          </fieldset>
        )}
        {allowed.includes('ask_to_complete') && simple('ask_to_complete', 'action.askToComplete')}
        {allowed.includes('forward') && simple('forward', 'action.forward')}
        {allowed.includes('validity_result') && (
          <fieldset>
            <legend>{t('action.validity')}</legend>
            <NoteField label={t('action.note')} value={note} onInput={setNote} />
            <button
              type="button"
              class="primary"
              disabled={busy}
              onClick={() => void act('validity_result', { valid: true }, note || null)}
            >
              {t('action.valid')}
            </button>
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => void act('validity_result', { valid: false }, note || null)}
            >
              {t('action.invalid')}
            </button>
          </fieldset>
        )}
        {allowed.includes('resolve') &&
          simple(
            'resolve',
            ticket.type === 'RESET_PASSWORD' ? 'action.resolveReset' : 'action.resolveUserId',
          )}
        {allowed.includes('reject') && (
          <fieldset>
            <legend>{t('action.reject')}</legend>
            <SelectField
              label={t('action.reason')}
              value={reasonCode}
              onChange={setReasonCode}
              options={[
                { value: '', label: t('action.chooseReason') },
                ...(reasons.data ?? []).map((r) => ({
                  value: r.code,
                  label: document.documentElement.lang === 'en' ? r.labelEn : r.labelId,
                })),
              ]}
            />
            <NoteField label={t('action.note')} value={note} onInput={setNote} />
            <button
              type="button"
              class="danger"
              disabled={busy || !reasonCode}
              onClick={() => void act('reject', { reasonCode }, note || null)}
            >
              {t('action.rejectSubmit')}
            </button>
          </fieldset>
        )}
        {allowed.includes('notify') && simple('notify', 'action.notify')}
        {allowed.includes('archive') && (
          <fieldset>
            <legend>{t('action.archive')}</legend>
            <TextField
              label={t('action.archiveNumber')}
              value={archiveNumber}
              onInput={setArchiveNumber}
            />
            {ticket.step === 'UNCLASSIFIED' && (
              // Mail that is not a request: archived with the reason in the note.
              <NoteField label={t('action.notARequest')} value={note} onInput={setNote} />
            )}
            <button
              type="button"
              class="primary"
              disabled={
                busy || !archiveNumber.trim() || (ticket.step === 'UNCLASSIFIED' && !note.trim())
              }
              onClick={() =>
                void act('archive', { archiveNumber: archiveNumber.trim() }, note.trim() || null)
              }
            >
              {t('action.archiveSubmit')}
            </button>
          </fieldset>
        )}
      </div>
      <ErrorBox error={props.error} />
    </Section>
  );
}

function RequesterPanel(props: {
  ticket: TicketDetail;
  user: User;
  onSaved: () => void;
  showNik: boolean;
  onShowNik: () => void;
}) {
  const { ticket, user } = props;
  const r = ticket.requester;
  const editable =
    FORM_EDITORS.includes(user.role) && FORM_STEPS.includes(ticket.step) && !ticket.closedAt;
  const [editing, setEditing] = useState(false);
  const rows: [MessageKey, string | null][] = [
    ['requester.name', r.name],
    ['requester.userId', r.userId],
    ['requester.nik', r.nik ?? r.nikMasked],
    ['requester.nip', r.nip],
    ['requester.spseRole', r.spseRole],
    ['requester.agency', r.agency],
    ['requester.email', r.email],
    ['requester.phone', r.phone],
    [
      'requester.contact',
      ticket.contact.address
        ? `${ticket.contact.kind}: ${ticket.contact.address}`
        : ticket.contact.kind,
    ],
  ];
  return (
    <Section
      title={t('requester.title')}
      id="requester"
      actions={
        editable && !editing ? (
          <button
            type="button"
            onClick={() => {
              setEditing(true);
            }}
          >
            {t('requester.edit')}
          </button>
        ) : undefined
      }
    >
      {editing ? (
        <RequesterForm
          ticket={ticket}
          onDone={(saved) => {
            setEditing(false);
            if (saved) props.onSaved();
          }}
        />
      ) : (
        <dl class="pairs">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{t(k)}</dt>
              <dd>{v ?? '—'}</dd>
            </div>
          ))}
        </dl>
      )}
      {!editing && NIK_READERS.includes(user.role) && r.nikMasked && !props.showNik && (
        <button type="button" class="link" onClick={props.onShowNik}>
          {t('requester.showNik')}
        </button>
      )}
      {!editing && ticket.registryEntryId === null && (
        <p class="muted">{t('requester.noRegistry')}</p>
      )}
    </Section>
  );
}

function RequesterForm({
  ticket,
  onDone,
}: {
  ticket: TicketDetail;
  onDone: (saved: boolean) => void;
}) {
  const r = ticket.requester;
  const [v, update] = useDraft(
    `requester:${ticket.id}`,
    {
      name: r.name,
      userId: r.userId ?? '',
      nik: '',
      nip: r.nip ?? '',
      spseRole: r.spseRole ?? '',
      agency: r.agency ?? '',
      email: r.email ?? '',
      phone: r.phone ?? '',
    },
    ['nik'],
  );
  const [error, setError] = useState<unknown>(null);
  const orNull = (s: string) => (s.trim() === '' ? null : s.trim());
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api('PATCH', `/tickets/${ticket.id}/requester`, {
        json: {
          version: ticket.version,
          requester: {
            name: v.name.trim(),
            userId: orNull(v.userId),
            // Left empty, the NIK is not sent and the API keeps the one on file.
            ...(v.nik.trim() ? { nik: v.nik.trim() } : {}),
            nip: orNull(v.nip),
            spseRole: orNull(v.spseRole),
            agency: orNull(v.agency),
            email: orNull(v.email),
            phone: orNull(v.phone),
          },
        },
      });
      onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="grid-form" onSubmit={(e) => void submit(e)} aria-label={t('requester.formTitle')}>
      <TextField
        label={t('requester.name')}
        value={v.name}
        onInput={(x) => {
          update({ name: x });
        }}
        required
      />
      <TextField
        label={t('requester.userId')}
        value={v.userId}
        onInput={(x) => {
          update({ userId: x });
        }}
      />
      <TextField
        label={t('requester.nik')}
        value={v.nik}
        onInput={(x) => {
          update({ nik: x });
        }}
        inputMode="numeric"
        hint={
          r.nikMasked ? t('requester.nikKept', { masked: r.nikMasked }) : t('requester.nikHint')
        }
      />
      <TextField
        label={t('requester.nip')}
        value={v.nip}
        onInput={(x) => {
          update({ nip: x });
        }}
        inputMode="numeric"
      />
      <SelectField
        label={t('requester.spseRole')}
        value={v.spseRole}
        onChange={(x) => {
          update({ spseRole: x });
        }}
        options={[{ value: '', label: '—' }, ...spseRoles.map((s) => ({ value: s, label: s }))]}
      />
      <TextField
        label={t('requester.agency')}
        value={v.agency}
        onInput={(x) => {
          update({ agency: x });
        }}
      />
      <TextField
        label={t('requester.email')}
        value={v.email}
        onInput={(x) => {
          update({ email: x });
        }}
        type="email"
      />
      <TextField
        label={t('requester.phone')}
        value={v.phone}
        onInput={(x) => {
          update({ phone: x });
        }}
        type="tel"
      />
      <ErrorBox error={error} />
      <div class="buttons wide">
        <button type="submit" class="primary">
          {t('common.save')}
        </button>
        <button
          type="button"
          onClick={() => {
            onDone(false);
          }}
        >
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Checklist({ ticket }: { ticket: TicketDetail }) {
  const present = new Set(ticket.documents.filter((d) => !d.deleted).map((d) => d.kind));
  return (
    <Section title={t('ticket.checklist')} id="checklist">
      <ul class="checklist">
        {ticket.requiredDocuments.map((k) => {
          const ok = present.has(k);
          return (
            <li key={k} class={ok ? 'ok' : 'missing'} data-kind={k}>
              <span aria-hidden="true">{ok ? '✔' : '✖'}</span> {t(`doc.${k}` as MessageKey)} —{' '}
              <strong>{ok ? t('ticket.present') : t('ticket.missing')}</strong>
            </li>
          );
        })}
      </ul>
      {ticket.missingDocuments.length > 0 &&
        ['INCOMPLETE', 'AWAITING_REQUESTER'].includes(ticket.step) && (
          <p class="warn">
            {t('ticket.askedFor', {
              docs: ticket.missingDocuments.map((k) => tOr(`doc.${k}`, k)).join(', '),
            })}
          </p>
        )}
    </Section>
  );
}

function Validity({ ticket }: { ticket: TicketDetail }) {
  const v = useAsync(
    () =>
      api<{
        registryEntryId: string | null;
        comparison: { fields: FieldComparison[]; mismatches: number } | null;
      }>('GET', `/tickets/${ticket.id}/validity`),
    [ticket.id, ticket.version],
  );
  return (
    <Section title={t('validity.title')} id="validity">
      <ErrorBox error={v.error} />
      {v.data && !v.data.comparison && <p class="muted">{t('validity.noEntry')}</p>}
      {v.data?.comparison && (
        <>
          <p class={v.data.comparison.mismatches > 0 ? 'warn' : 'ok'}>
            {t('validity.summary', { n: v.data.comparison.mismatches })}
            {v.data.registryEntryId && (
              <>
                {' '}
                <Link href={`/registry/${v.data.registryEntryId}`}>{t('validity.openEntry')}</Link>
              </>
            )}
          </p>
          <div class="table-wrap">
            <table class="compare">
              <thead>
                <tr>
                  <th scope="col">{t('validity.field')}</th>
                  <th scope="col">{t('validity.claimed')}</th>
                  <th scope="col">{t('validity.registered')}</th>
                  <th scope="col">{t('validity.result')}</th>
                </tr>
              </thead>
              <tbody>
                {v.data.comparison.fields.map((f) => (
                  <tr key={f.field} class={`r-${f.result.toLowerCase()}`} data-field={f.field}>
                    <th scope="row">
                      {tOr(`requester.${f.field === 'fullName' ? 'name' : f.field}`, f.field)}
                    </th>
                    <td>{f.claimed ?? '—'}</td>
                    <td>{f.registered ?? '—'}</td>
                    <td>
                      {f.result === 'MISMATCH' && <span aria-hidden="true">✖ </span>}
                      {f.result === 'MATCH' && <span aria-hidden="true">✔ </span>}
                      {tOr(`validity.${f.result}`, f.result)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Section>
  );
}

function Documents({
  ticket,
  user,
  onUploaded,
}: {
  ticket: TicketDetail;
  user: User;
  onUploaded: () => void;
}) {
  const [viewing, setViewing] = useState<{
    id: string;
    url: string;
    type: string;
    name: string;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [kind, setKind] = useState<string>(ticket.missingDocuments[0] ?? 'REQUEST_FORM');
  const [file, setFile] = useState<File | null>(null);
  const [uploading, setUploading] = useState(false);
  const [inputKey, setInputKey] = useState(0);

  useEffect(
    () => () => {
      if (viewing) URL.revokeObjectURL(viewing.url);
    },
    [viewing],
  );

  const open = async (docId: string, type: string, name: string) => {
    setError(null);
    try {
      const url = await blobUrl(`/tickets/${ticket.id}/documents/${docId}`);
      setViewing({ id: docId, url, type, name });
    } catch (err) {
      setError(err);
    }
  };

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setUploading(true);
    setError(null);
    try {
      const form = new FormData();
      form.append('kind', kind); // the API reads the kind before the file
      form.append('file', file, file.name);
      await api('POST', `/tickets/${ticket.id}/documents`, { form });
      setFile(null);
      setInputKey((k) => k + 1);
      onUploaded();
    } catch (err) {
      setError(err);
    } finally {
      setUploading(false);
    }
  };

  return (
    <Section title={t('docs.title')} id="documents">
      {ticket.documents.length === 0 && <p class="muted">{t('docs.none')}</p>}
      <ul class="docs">
        {ticket.documents.map((d) => (
          <li key={d.id}>
            <span>
              <strong>{tOr(`doc.${d.kind}`, d.kind)}</strong> · {d.fileName} ·{' '}
              {Math.ceil(d.sizeBytes / 1024)} KB
            </span>
            {d.deleted ? (
              <span class="muted">{t('docs.deleted')}</span>
            ) : (
              <button type="button" onClick={() => void open(d.id, d.contentType, d.fileName)}>
                {t('docs.view')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {viewing && (
        <figure class="viewer">
          <figcaption>
            {viewing.name}{' '}
            <a href={viewing.url} target="_blank" rel="noopener">
              {t('docs.newTab')}
            </a>{' '}
            <button
              type="button"
              class="link"
              onClick={() => {
                setViewing(null);
              }}
            >
              {t('common.close')}
            </button>
          </figcaption>
          {viewing.type.startsWith('image/') ? (
            <img src={viewing.url} alt={viewing.name} />
          ) : (
            <iframe src={viewing.url} title={viewing.name} />
          )}
        </figure>
      )}
      {UPLOADERS.includes(user.role) && !ticket.closedAt && (
        <form class="upload" onSubmit={(e) => void upload(e)} aria-label={t('docs.upload')}>
          <SelectField
            label={t('docs.kind')}
            value={kind}
            onChange={setKind}
            options={documentKinds.map((k) => ({ value: k, label: t(`doc.${k}`) }))}
          />
          <Field label={t('docs.file')}>
            {(id) => (
              <input
                key={inputKey}
                id={id}
                type="file"
                accept="application/pdf,image/jpeg,image/png"
                onChange={(e) => {
                  setFile(e.currentTarget.files?.[0] ?? null);
                }}
              />
            )}
          </Field>
          <button type="submit" disabled={!file || uploading}>
            {t('docs.upload')}
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </Section>
  );
}

function Thread({
  ticket,
  user,
  onSent,
}: {
  ticket: TicketDetail;
  user: User;
  onSent: () => void;
}) {
  const [v, update, reset] = useDraft(`reply:${ticket.id}`, { body: '' });
  const [error, setError] = useState<unknown>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', `/tickets/${ticket.id}/messages`, { json: { body: v.body.trim() } });
      reset();
      onSent();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title={t('thread.title')} id="thread">
      {ticket.messages.length === 0 && <p class="muted">{t('thread.none')}</p>}
      <ol class="thread">
        {ticket.messages.map((m) => (
          <li key={m.id} class={m.direction === 'IN' ? 'in' : 'out'}>
            <div class="meta">
              {tOr(`channel.${m.channel}`, m.channel)} ·{' '}
              {m.direction === 'IN' ? t('thread.in') : t('thread.out')} ·{' '}
              {formatDateTime(m.createdAt)}
            </div>
            <p>{m.body}</p>
          </li>
        ))}
      </ol>
      {REPLIERS.includes(user.role) && !ticket.closedAt && (
        <form onSubmit={(e) => void send(e)}>
          <Field label={t('thread.reply')} wide>
            {(id) => (
              <textarea
                id={id}
                rows={3}
                value={v.body}
                onInput={(e) => {
                  update({ body: e.currentTarget.value });
                }}
              />
            )}
          </Field>
          <ErrorBox error={error} />
          <button type="submit" disabled={!v.body.trim()}>
            {t('thread.send')}
          </button>
        </form>
      )}
    </Section>
  );
}

function History({ ticket }: { ticket: TicketDetail }) {
  return (
    <Section title={t('history.title')} id="history">
      <ol class="history">
        {ticket.events.map((e, i) => (
          <li key={i}>
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>{' '}
            <strong>{tOr(`event.${e.action}`, e.action)}</strong>
            {e.toStep && e.toStep !== e.fromStep && <> → {tOr(`step.${e.toStep}`, e.toStep)}</>}
            <span class="muted">
              {' '}
              · {e.actorLabel ?? e.actorType}
              {e.actorRole ? ` (${tOr(`role.${e.actorRole}`, e.actorRole)})` : ''}
            </span>
            {typeof e.data.reasonCode === 'string' && (
              <div>
                {t('history.reason')}: <code>{e.data.reasonCode}</code>
              </div>
            )}
            {Array.isArray(e.data.missing) && e.data.missing.length > 0 && (
              <div>
                {t('history.missing')}:{' '}
                {(e.data.missing as string[]).map((k) => tOr(`doc.${k}`, k)).join(', ')}
              </div>
            )}
            {typeof e.data.archiveNumber === 'string' && (
              <div>
                {t('action.archiveNumber')}: {e.data.archiveNumber}
              </div>
            )}
            {e.reason && <div class="muted">“{e.reason}”</div>}
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** A short free-text note that goes with an action (validity, rejection, archive). */
function NoteField(props: { label: string; value: string; onInput: (v: string) => void }) {
  return (
    <Field label={props.label} wide>
      {(id) => (
        <textarea
          id={id}
          rows={2}
          value={props.value}
          onInput={(e) => {
            props.onInput(e.currentTarget.value);
          }}
        />
      )}
    </Field>
  );
}

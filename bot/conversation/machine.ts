import {
  parseSpseRole,
  spseRoleCodes,
  spseRoles,
  type SpseRole,
} from '../../src/registry/spse-roles';
import { workflowDefinitions } from '../../src/workflow/definitions';
import type { DocumentKind } from '../../src/workflow/workflow.types';
import { maskNik } from '../../src/shared/pii';
import { normaliseEmail } from '../../src/registry/registry-csv';
import { findTicketCode, hasWords, isOnly, mentions, normaliseText } from './keywords';
import type {
  ChatTicket,
  Command,
  ConversationEvent,
  ConversationState,
  Flow,
  KeptDocument,
  Lang,
  MachineOptions,
  Outcome,
  Reply,
  Step,
} from './types';

/**
 * The Helpus conversation as a pure state machine: (state, event) -> (state, replies, commands).
 * No I/O, no clock, no randomness: the dispatcher passes the time in the message event, performs
 * the commands through Loket's API and feeds their results back as events. Replies are catalogue
 * keys with data (bot/conversation/catalogue.ts), never text.
 */

/** The most documents one chat keeps waiting for a request (their bytes sit in Redis). */
export const MAX_KEPT_DOCUMENTS = 6;
/** Longest answer to a question; longer is refused politely (free text to staff may be longer). */
export const MAX_ANSWER_CHARS = 300;

const mainMenuOrder = ['reset', 'userid', 'status', 'staff', 'language'] as const;

export function freshState(now: number, lang: Lang = 'id'): ConversationState {
  return {
    v: 1,
    lang,
    step: 'start',
    flow: null,
    form: {},
    docs: [],
    staffTicket: null,
    updatedAt: now,
  };
}

/** The documents seed 004 asks of this requester (an Auditor: the examination order). */
export function requiredDocumentsFor(flow: Flow, role: SpseRole | undefined): DocumentKind[] {
  const id = flow === 'RESET_PASSWORD' ? 'seed004-reset-password' : 'seed004-user-id-info';
  const def = workflowDefinitions.get(id);
  if (!def) return [];
  return [
    ...((role ? def.requiredDocuments.bySpseRole?.[role] : undefined) ??
      def.requiredDocuments.default),
  ];
}

/** Which document a caption or file name names, if any. */
export function documentKindFromCaption(text: string | undefined): DocumentKind | null {
  const t = normaliseText(text ?? '');
  if (!t) return null;
  if (/surat perintah|pemeriksaan|\bspp\b/.test(t)) return 'SURAT_PERINTAH_PEMERIKSAAN';
  if (/\bsk\b|penunjukan|keputusan|decree/.test(t)) return 'SK_PENUNJUKAN';
  if (/formulir|\bform\b|permohonan|request/.test(t)) return 'REQUEST_FORM';
  if (/\bktp\b|identity/.test(t)) return 'KTP';
  return null;
}

const NAME = /^[\p{L}][\p{L}\p{M} .,'’-]{1,99}$/u;
const USER_ID = /^[A-Za-z0-9._@-]{3,50}$/;

class Out {
  replies: Reply[] = [];
  commands: Command[] = [];
  constructor(public state: ConversationState) {}
  say(
    key: Extract<Reply, { type: 'text' }>['key'],
    params?: Record<string, unknown>,
    important = false,
  ) {
    this.replies.push({
      type: 'text',
      key,
      ...(params ? { params } : {}),
      ...(important ? { important } : {}),
    });
  }
  menu(
    menu: Extract<Reply, { type: 'menu' }>['menu'],
    key: Extract<Reply, { type: 'menu' }>['key'],
    params?: Record<string, unknown>,
  ) {
    this.replies.push({ type: 'menu', menu, key, ...(params ? { params } : {}) });
  }
  done(): Outcome {
    return { state: this.state, replies: this.replies, commands: this.commands };
  }
}

function missingDocuments(s: ConversationState): DocumentKind[] {
  if (!s.flow) return [];
  const have = new Set(s.docs.map((d) => d.kind));
  return requiredDocumentsFor(s.flow, s.form.spseRole).filter((k) => !have.has(k));
}

function summaryParams(s: ConversationState, none: string) {
  return {
    flow: s.flow ?? 'RESET_PASSWORD',
    name: s.form.name ?? none,
    userId: s.form.userId ?? none,
    nikMasked: s.form.nik ? maskNik(s.form.nik) : none,
    role: s.form.spseRole ? spseRoles[s.form.spseRole][0] : none,
    agency: s.form.agency ?? none,
    email: s.form.email ?? none,
    docs: s.docs.map((d) => d.kind ?? 'OTHER'),
  };
}

/** The question of the current step, asked again (after a correction or an aside). */
function reprompt(o: Out): void {
  const s = o.state;
  switch (s.step) {
    case 'start':
    case 'menu':
      o.menu('main', 'menu.body');
      return;
    case 'name':
      o.say('ask.name');
      return;
    case 'userId':
      o.say('ask.userId');
      return;
    case 'nik':
      o.say('ask.nik');
      return;
    case 'role':
      o.menu('role', 'ask.role.body');
      return;
    case 'agency':
      o.say('ask.agency');
      return;
    case 'email':
      o.say('ask.email');
      return;
    case 'documents':
      o.say('ask.documents', { docs: missingDocuments(s) });
      return;
    case 'confirm':
      showSummary(o);
      return;
    case 'statusCode':
      o.say('status.ask');
      return;
    case 'staff':
      return;
  }
}

function showSummary(o: Out): void {
  o.state.step = 'confirm';
  // The service and the document names are resolved by the catalogue, in the user's language.
  o.menu('confirm', 'summary.body', summaryParams(o.state, '-'));
}

function begin(o: Out, flow: Flow): void {
  o.state.flow = flow;
  o.state.form = {};
  o.state.step = 'name';
  o.say('ask.name');
}

function cancel(o: Out): void {
  const s = o.state;
  if (s.docs.length > 0) o.commands.push({ type: 'dropDocuments', keys: s.docs.map((d) => d.key) });
  o.state = { ...freshState(s.updatedAt, s.lang), step: 'menu' };
  o.say('cancelled');
}

function restart(o: Out): void {
  // `menu` starts over but keeps the language and any document already sent.
  const s = o.state;
  o.state = { ...freshState(s.updatedAt, s.lang), step: 'menu', docs: s.docs };
  o.menu('main', 'menu.body');
}

function enterDocuments(o: Out): void {
  const s = o.state;
  s.step = 'documents';
  const required = s.flow ? requiredDocumentsFor(s.flow, s.form.spseRole) : [];
  let reused = false;
  for (const kind of required) {
    if (s.docs.some((d) => d.kind === kind)) continue;
    const loose = s.docs.find((d) => d.kind === null);
    if (!loose) break;
    loose.kind = kind;
    reused = true;
  }
  if (s.docs.length > 0) reused = true;
  const missing = missingDocuments(s);
  if (reused) o.say('doc.reused');
  if (missing.length === 0) showSummary(o);
  else o.say('ask.documents', { docs: missing });
}

/** After an answer: the next question of the flow. */
function advance(o: Out): void {
  const s = o.state;
  const f = s.form;
  if (!f.name) {
    setStep(o, 'name');
    return;
  }
  if (s.flow === 'RESET_PASSWORD' && f.userId === undefined) {
    setStep(o, 'userId');
    return;
  }
  if (!f.nik) {
    setStep(o, 'nik');
    return;
  }
  if (!f.spseRole) {
    setStep(o, 'role');
    return;
  }
  if (!f.agency) {
    setStep(o, 'agency');
    return;
  }
  if (!f.email) {
    setStep(o, 'email');
    return;
  }
  enterDocuments(o);
}

function setStep(o: Out, step: Step): void {
  o.state.step = step;
  reprompt(o);
}

function pickMenu(o: Out, pick: (typeof mainMenuOrder)[number]): void {
  const s = o.state;
  switch (pick) {
    case 'reset': {
      begin(o, 'RESET_PASSWORD');
      return;
    }
    case 'userid': {
      begin(o, 'USER_ID_INFO');
      return;
    }
    case 'status':
      s.step = 'statusCode';
      o.say('status.ask');
      return;
    case 'staff':
      o.commands.push({ type: 'chatTickets', purpose: 'staff' });
      return;
    case 'language':
      s.lang = s.lang === 'id' ? 'en' : 'id';
      o.say('language.set');
      o.menu('main', 'menu.body');
      return;
  }
}

/** Free text at the menu (or as the first message): what does the requester want? */
function understand(o: Out, text: string): void {
  const s = o.state;
  const code = findTicketCode(text);
  const n = normaliseText(text);
  const digit = /^[1-5]$/.test(n) ? mainMenuOrder[Number(n) - 1] : undefined;
  if (digit) {
    pickMenu(o, digit);
    return;
  }
  if (code) {
    o.commands.push({ type: 'status', code });
    return;
  }
  if (mentions(text, 'staff')) {
    pickMenu(o, 'staff');
    return;
  }
  if (mentions(text, 'status')) {
    pickMenu(o, 'status');
    return;
  }
  if (mentions(text, 'userId')) {
    begin(o, 'USER_ID_INFO');
    return;
  }
  if (mentions(text, 'reset')) {
    begin(o, 'RESET_PASSWORD');
    return;
  }
  if (mentions(text, 'forgot')) {
    o.menu('main', 'lupa.which');
    s.step = 'menu';
    return;
  }
  if (isOnly(text, 'english') && s.lang !== 'en') {
    pickMenu(o, 'language');
    return;
  }
  if (isOnly(text, 'indonesian') && s.lang !== 'id') {
    pickMenu(o, 'language');
    return;
  }
  if (s.step === 'start') {
    o.state.step = 'menu';
    o.menu('main', 'greeting', { name: '' });
    return;
  }
  if (mentions(text, 'greeting')) {
    o.menu('main', 'greeting', { name: '' });
    return;
  }
  o.say('notUnderstood');
  o.menu('main', 'menu.body');
}

function answer(o: Out, text: string): void {
  const s = o.state;
  const t = text.trim().replace(/\s+/g, ' ');
  if (t.length > MAX_ANSWER_CHARS) {
    o.say('fix.tooLong');
    reprompt(o);
    return;
  }
  switch (s.step) {
    case 'name':
      if (!NAME.test(t) || (t.match(/\p{L}/gu)?.length ?? 0) < 2) {
        o.say('fix.name');
        return;
      }
      s.form.name = t;
      advance(o);
      return;
    case 'userId':
      if (isOnly(t, 'skip')) s.form.userId = null;
      else if (USER_ID.test(t)) s.form.userId = t;
      else {
        o.say('fix.userId');
        return;
      }
      advance(o);
      return;
    case 'nik': {
      const digits = t.replace(/[\s.-]/g, '');
      if (!/^[0-9]+$/.test(digits)) {
        o.say('fix.nik.format');
        return;
      }
      if (digits.length !== 16) {
        o.say('fix.nik.length', { count: digits.length });
        return;
      }
      s.form.nik = digits;
      advance(o);
      return;
    }
    case 'role': {
      const n = normaliseText(t);
      const byNumber = /^[0-9]{1,2}$/.test(n) ? spseRoleCodes[Number(n) - 1] : undefined;
      const role = byNumber ?? parseSpseRole(t);
      if (!role) {
        o.say('fix.role');
        o.menu('role', 'ask.role.body');
        return;
      }
      s.form.spseRole = role;
      advance(o);
      return;
    }
    case 'agency':
      if (t.length < 2 || t.length > 200 || !hasWords(t)) {
        o.say('fix.agency');
        return;
      }
      s.form.agency = t;
      advance(o);
      return;
    case 'email': {
      const email = normaliseEmail(t);
      if (!email) {
        o.say('fix.email');
        return;
      }
      s.form.email = email;
      advance(o);
      return;
    }
    case 'documents':
      if (isOnly(t, 'skip')) {
        showSummary(o);
        return;
      }
      reprompt(o);
      return;
    case 'confirm':
      if (isOnly(t, 'yes') || t === '1') {
        submit(o);
        return;
      }
      if (isOnly(t, 'edit') || t === '2') {
        editForm(o);
        return;
      }
      if (t === '3') {
        cancel(o);
        return;
      }
      o.say('fix.confirm');
      return;
    case 'statusCode': {
      const code = findTicketCode(t);
      if (!code) {
        o.say('status.badCode');
        return;
      }
      o.commands.push({ type: 'status', code });
      return;
    }
    case 'staff':
    case 'start':
    case 'menu': {
      understand(o, t);
      return;
    }
  }
}

function submit(o: Out): void {
  const s = o.state;
  if (!s.flow) {
    restart(o);
    return;
  }
  o.commands.push({
    type: 'createTicket',
    flow: s.flow,
    lang: s.lang,
    form: { ...s.form },
    docs: [...s.docs],
  });
}

function editForm(o: Out): void {
  const s = o.state;
  s.form = {};
  s.step = 'name';
  o.say('ask.name');
}

function choice(o: Out, id: string): void {
  const s = o.state;
  const [group, value] = id.split(':', 2);
  if (group === 'menu') {
    const pick = mainMenuOrder.find((p) => p === value);
    if (pick) {
      // An explicit pick leaves any request in progress (its documents stay for the next one).
      if (pick !== 'language')
        o.state = { ...freshState(s.updatedAt, s.lang), step: 'menu', docs: s.docs };
      pickMenu(o, pick);
      return;
    }
  }
  if (group === 'role' && s.step === 'role') {
    const role = spseRoleCodes.find((r) => r === value);
    if (role) {
      s.form.spseRole = role;
      advance(o);
      return;
    }
  }
  if (group === 'confirm' && s.step === 'confirm') {
    if (value === 'yes') {
      submit(o);
      return;
    }
    if (value === 'edit') {
      editForm(o);
      return;
    }
    if (value === 'cancel') {
      cancel(o);
      return;
    }
  }
  // A tap on an old menu: ask the current question again.
  reprompt(o);
}

function document(o: Out, doc: KeptDocument): void {
  const s = o.state;
  if (s.docs.length >= MAX_KEPT_DOCUMENTS && s.step !== 'staff') {
    o.commands.push({ type: 'dropDocuments', keys: [doc.key] });
    o.say('doc.tooMany', { max: MAX_KEPT_DOCUMENTS });
    return;
  }
  switch (s.step) {
    case 'documents': {
      const missing = missingDocuments(s);
      doc.kind =
        doc.kind && missing.includes(doc.kind) ? doc.kind : (missing[0] ?? doc.kind ?? 'OTHER');
      s.docs.push(doc);
      o.say('doc.received', { doc: doc.kind });
      const still = missingDocuments(s);
      if (still.length > 0) o.say('doc.stillNeeded', { docs: still });
      else showSummary(o);
      return;
    }
    case 'staff':
      if (s.staffTicket) {
        const ticket: ChatTicket = {
          id: s.staffTicket.id,
          code: s.staffTicket.code,
          missingDocuments: [],
        };
        o.commands.push({ type: 'attachDocument', ticket, doc, kind: doc.kind ?? 'OTHER' });
      }
      return;
    case 'start':
    case 'menu':
    case 'statusCode':
      // Maybe staff asked for a missing document of an open ticket; otherwise it waits for a request.
      s.docs.push(doc);
      o.commands.push({ type: 'chatTickets', purpose: 'document' });
      return;
    case 'name':
    case 'userId':
    case 'nik':
    case 'role':
    case 'agency':
    case 'email':
    case 'confirm':
      // Sent before it was asked for: kept, and used when the documents are asked for.
      s.docs.push(doc);
      o.say('doc.kept');
      reprompt(o);
  }
}

function onMessage(
  prev: ConversationState | null,
  ev: Extract<ConversationEvent, { type: 'message' }>,
  options: MachineOptions,
): Outcome {
  const o = new Out(prev ? structuredClone(prev) : freshState(ev.now));
  const s0 = o.state;
  if (
    prev &&
    ev.now - prev.updatedAt > options.idleMs &&
    ((prev.step !== 'start' && prev.step !== 'menu') || prev.docs.length > 0)
  ) {
    o.say('expired', { minutes: Math.round(options.idleMs / 60_000) });
    if (prev.docs.length > 0)
      o.commands.push({ type: 'dropDocuments', keys: prev.docs.map((d) => d.key) });
    o.state = freshState(ev.now, s0.lang);
  }
  o.state.updatedAt = ev.now;
  const m = ev.message;
  if (ev.document) {
    if (!ev.document.ok) {
      o.say(`doc.rejected.${ev.document.reason}`, { maxMb: ev.document.maxMb });
      if (o.state.step === 'start') o.state.step = 'menu';
      return o.done();
    }
    document(o, ev.document.doc);
    return o.done();
  }
  switch (m.kind) {
    case 'audio':
      o.say('unsupported.audio');
      return o.done();
    case 'video':
      o.say('unsupported.video');
      return o.done();
    case 'sticker':
      o.say('unsupported.sticker');
      return o.done();
    case 'location':
      o.say('unsupported.location');
      return o.done();
    case 'image':
    case 'document':
      o.say('doc.rejected.unavailable');
      return o.done();
    case 'contacts':
    case 'unsupported':
      o.say('unsupported.other');
      return o.done();
    case 'choice':
      choice(o, m.choiceId ?? '');
      return o.done();
    case 'text':
      break;
  }
  const text = m.text ?? '';
  if (!hasWords(text)) {
    o.say('fix.empty');
    if (o.state.step === 'start') {
      o.state.step = 'menu';
      o.menu('main', 'menu.body');
    }
    return o.done();
  }
  if (isOnly(text, 'cancel')) {
    cancel(o);
    return o.done();
  }
  if (isOnly(text, 'menu')) {
    restart(o);
    return o.done();
  }
  if (o.state.step === 'staff' && text.length > 0) {
    const first = !(o.state.staffTicket?.acked ?? false);
    if (o.state.staffTicket) {
      o.commands.push({
        type: 'postMessage',
        ticketId: o.state.staffTicket.id,
        text,
        messageId: m.id,
        first,
      });
    }
    return o.done();
  }
  answer(o, text);
  return o.done();
}

/** One step of the conversation. `prev` is null for a chat never seen (or long forgotten). */
export function step(
  prev: ConversationState | null,
  event: ConversationEvent,
  options: MachineOptions,
): Outcome {
  if (event.type === 'message') return onMessage(prev, event, options);
  const o = new Out(structuredClone(prev ?? freshState(0)));
  const s = o.state;
  switch (event.type) {
    case 'created': {
      o.say('created', { code: event.ticket.code }, true);
      if (event.missing.length > 0) o.say('created.missing', { docs: event.missing }, true);
      if (event.failedDocuments.length > 0)
        o.say('created.docFailed', { docs: event.failedDocuments }, true);
      if (s.docs.length > 0)
        o.commands.push({ type: 'dropDocuments', keys: s.docs.map((d) => d.key) });
      o.state = { ...freshState(s.updatedAt, s.lang), step: 'menu' };
      break;
    }
    case 'createFailed':
      o.say('createFailed', undefined, true);
      break;
    case 'status':
      if (event.result === 'failed') o.say('status.failed');
      else if (event.result === null) o.say('status.notFound');
      else {
        o.say('status.result', {
          code: event.result.code,
          stepLabel: event.result.stepLabel,
          closed: event.result.closed,
        });
        if (event.result.missingDocuments.length > 0 && !event.result.closed) {
          o.say('status.missing', { docs: event.result.missingDocuments });
        }
      }
      if (s.step === 'statusCode' || s.step === 'start') s.step = 'menu';
      break;
    case 'chatTickets':
      if (event.purpose === 'staff') {
        const ticket = event.tickets === 'failed' ? undefined : event.tickets[0];
        if (event.tickets === 'failed') o.say('staff.failed');
        else if (!ticket) {
          o.say('staff.noTicket');
          o.menu('main', 'menu.body');
          if (s.step === 'start') s.step = 'menu';
        } else {
          o.commands.push({ type: 'flagStaff', ticketId: ticket.id });
          s.step = 'staff';
          s.flow = null;
          s.form = {};
          s.staffTicket = { id: ticket.id, code: ticket.code, acked: false };
          o.say('staff.connected', { code: ticket.code });
        }
      } else {
        const tickets = event.tickets === 'failed' ? [] : event.tickets;
        const waiting = tickets.find((t) => t.missingDocuments.length > 0);
        if (!waiting) {
          o.say('doc.kept');
          o.menu('main', 'menu.body');
          if (s.step === 'start') s.step = 'menu';
          break;
        }
        const missing = [...waiting.missingDocuments];
        for (const doc of s.docs) {
          const kind =
            doc.kind && missing.includes(doc.kind) ? doc.kind : (missing[0] ?? doc.kind ?? 'OTHER');
          const at = missing.indexOf(kind);
          if (at >= 0) missing.splice(at, 1);
          o.commands.push({ type: 'attachDocument', ticket: waiting, doc, kind });
        }
        s.docs = [];
      }
      break;
    case 'attached':
      if (event.ok) o.say('doc.attached', { doc: event.kind, code: event.code }, true);
      else o.say('doc.attachFailed', { code: event.code }, true);
      break;
    case 'forwarded':
      if (!event.ok) o.say('staff.failed');
      else if (event.first) {
        o.say('staff.forwarded');
        if (s.staffTicket) s.staffTicket.acked = true;
      }
      break;
  }
  return o.done();
}

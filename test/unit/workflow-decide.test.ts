import { allRoles, type Role } from '../../src/auth/roles';
import { decide, validateDefinition } from '../../src/workflow/decide';
import { selectDefinition, workflowDefinitions } from '../../src/workflow/definitions';
import {
  actionNames,
  type ActionName,
  type WorkflowDefinition,
} from '../../src/workflow/workflow.types';

/**
 * The SOPs written out by hand: every transition each definition must allow, as
 * [from, action, roles, data, to]. Everything not listed must be refused. A definition that gains
 * or loses a transition fails here.
 */
type Row = [string, ActionName, Role[], Record<string, unknown>, string];
const docs: Role[] = ['BOT', 'INTAKE', 'FRONT_OFFICE', 'HELPDESK'];

const seed004: Row[] = [
  ['RECEIVED', 'open', ['HELPDESK'], {}, 'COMPLETENESS_CHECK'],
  [
    'COMPLETENESS_CHECK',
    'completeness_result',
    ['HELPDESK'],
    { complete: true },
    'READY_TO_FORWARD',
  ],
  ['COMPLETENESS_CHECK', 'completeness_result', ['HELPDESK'], { complete: false }, 'INCOMPLETE'],
  ['INCOMPLETE', 'ask_to_complete', ['HELPDESK'], {}, 'AWAITING_REQUESTER'],
  ['AWAITING_REQUESTER', 'document_added', docs, {}, 'COMPLETENESS_CHECK'],
  ['READY_TO_FORWARD', 'forward', ['HELPDESK'], {}, 'VALIDITY_CHECK'],
  ['VALIDITY_CHECK', 'validity_result', ['ADMIN_PPE'], { valid: true }, 'RESOLUTION'],
  ['VALIDITY_CHECK', 'validity_result', ['ADMIN_PPE'], { valid: false }, 'REJECTION'],
  ['RESOLUTION', 'resolve', ['ADMIN_PPE'], {}, 'NOTIFY_RESULT'],
  ['REJECTION', 'reject', ['ADMIN_PPE', 'HELPDESK'], {}, 'ARCHIVING'],
  ['NOTIFY_RESULT', 'notify', ['HELPDESK', 'ADMIN_PPE'], {}, 'ARCHIVING'],
  ['ARCHIVING', 'archive', ['ADMIN_PPE'], {}, 'ARCHIVED'],
];

const seed003: Row[] = [
  ['RECEIVED', 'open', ['ADMIN_PPE'], {}, 'COMPLETENESS_CHECK'],
  [
    'COMPLETENESS_CHECK',
    'completeness_result',
    ['ADMIN_PPE'],
    { complete: true },
    'VALIDITY_CHECK',
  ],
  ['COMPLETENESS_CHECK', 'completeness_result', ['ADMIN_PPE'], { complete: false }, 'INCOMPLETE'],
  ['INCOMPLETE', 'ask_to_complete', ['ADMIN_PPE'], {}, 'AWAITING_REQUESTER'],
  ['AWAITING_REQUESTER', 'document_added', [...docs, 'ADMIN_PPE'], {}, 'COMPLETENESS_CHECK'],
  ['VALIDITY_CHECK', 'validity_result', ['ADMIN_PPE'], { valid: true }, 'RESOLUTION'],
  ['VALIDITY_CHECK', 'validity_result', ['ADMIN_PPE'], { valid: false }, 'REJECTION'],
  ['RESOLUTION', 'resolve', ['ADMIN_PPE'], {}, 'NOTIFY_RESULT'],
  ['REJECTION', 'reject', ['ADMIN_PPE'], {}, 'ARCHIVING'],
  ['NOTIFY_RESULT', 'notify', ['ADMIN_PPE'], {}, 'ARCHIVING'],
  ['ARCHIVING', 'archive', ['ADMIN_PPE'], {}, 'ARCHIVED'],
];

/** An email whose type could not be guessed: the helpdesk classifies it (or archives non-requests). */
const unclassified: Row[] = [
  ['UNCLASSIFIED', 'classify', ['HELPDESK'], { type: 'RESET_PASSWORD' }, 'CLASSIFIED'],
  ['UNCLASSIFIED', 'archive', ['HELPDESK'], {}, 'ARCHIVED'],
];

const spec: Record<string, Row[]> = {
  'intake-unclassified': unclassified,
  'seed004-reset-password': seed004,
  'seed004-user-id-info': seed004,
  'seed003-reset-password': seed003,
  'seed003-user-id-info': seed003,
};

const definitions = [...workflowDefinitions.values()];

describe.each(definitions.map((d) => [d.id, d] as const))('%s', (_id, def: WorkflowDefinition) => {
  const rows = spec[def.id] ?? [];

  test('is internally consistent: every step reachable, no dead ends', () => {
    expect(validateDefinition(def)).toEqual([]);
  });

  const allowedCases = rows.flatMap(([from, action, roles, data, to]) =>
    roles.map((role) => [from, action, role, data, to] as const),
  );
  test.each(allowedCases)('%s: %s by %s %j -> %s', (from, action, role, data, to) => {
    const d = decide({ step: from, channel: 'EMAIL' }, action, { role }, def, {
      data,
      reason: 'alasan',
    });
    expect(d).toMatchObject({ ok: true, from, to });
  });

  test('refuses every other action by every other role at every step, naming the allowed actions', () => {
    let refused = 0;
    for (const step of def.steps) {
      for (const action of actionNames) {
        for (const role of allRoles) {
          const listed = rows.some(
            ([f, a, roles]) => f === step.id && a === action && roles.includes(role),
          );
          if (listed) continue;
          const d = decide({ step: step.id, channel: 'EMAIL' }, action, { role }, def, {
            data: { complete: true, valid: true },
            reason: 'alasan',
          });
          expect(d.ok).toBe(false);
          if (!d.ok) {
            const expectedAllowed = [
              ...new Set(
                rows
                  .filter(([f, , roles]) => f === step.id && roles.includes(role))
                  .map((r) => r[1]),
              ),
            ];
            expect(d.allowed.sort()).toEqual(expectedAllowed.sort());
          }
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(
      def.steps.length * actionNames.length * allRoles.length - rows.length * 6,
    );
  });

  test('the archived ticket takes no action at all', () => {
    for (const action of actionNames) {
      for (const role of allRoles) {
        expect(decide({ step: 'ARCHIVED', channel: 'EMAIL' }, action, { role }, def).ok).toBe(
          false,
        );
      }
    }
  });
});

describe('decisions carry what the SOP asks for', () => {
  const reset004 = workflowDefinitions.get('seed004-reset-password');
  const reset003 = workflowDefinitions.get('seed003-reset-password');
  if (!reset004 || !reset003) throw new Error('definitions missing');

  test('a rejection needs a reason', () => {
    const d = decide(
      { step: 'REJECTION', channel: 'EMAIL' },
      'reject',
      { role: 'ADMIN_PPE' },
      reset004,
      { reason: '  ' },
    );
    expect(d).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
  });

  test('the wrong role is told so, and which actions it has', () => {
    const d = decide(
      { step: 'VALIDITY_CHECK', channel: 'EMAIL' },
      'validity_result',
      { role: 'HELPDESK' },
      reset004,
      {
        data: { valid: true },
      },
    );
    expect(d).toMatchObject({ ok: false, code: 'ROLE_NOT_ALLOWED', allowed: [] });
  });

  test('a completeness result without its flag matches no branch', () => {
    const d = decide(
      { step: 'COMPLETENESS_CHECK', channel: 'EMAIL' },
      'completeness_result',
      { role: 'HELPDESK' },
      reset004,
      {
        data: {},
      },
    );
    expect(d).toMatchObject({ ok: false, code: 'DATA_MISMATCH' });
  });

  test.each([
    ['open', 'RECEIVED', {}, { kind: 'MINUTES', minutes: 5 }],
    ['forward', 'READY_TO_FORWARD', {}, { kind: 'MINUTES', minutes: 15 }],
    ['validity_result', 'VALIDITY_CHECK', { valid: true }, { kind: 'MINUTES', minutes: 10 }],
    ['validity_result', 'VALIDITY_CHECK', { valid: false }, { kind: 'MINUTES', minutes: 5 }],
    ['resolve', 'RESOLUTION', {}, { kind: 'MINUTES', minutes: 10 }],
    ['notify', 'NOTIFY_RESULT', {}, { kind: 'MINUTES', minutes: 10 }],
    ['ask_to_complete', 'INCOMPLETE', {}, { kind: 'NONE' }],
  ] as const)(
    'seed 004: %s from %s starts the next step with its time standard',
    (action, from, data, standard) => {
      const role = ['validity_result', 'resolve'].includes(action) ? 'ADMIN_PPE' : 'HELPDESK';
      const d = decide({ step: from, channel: 'EMAIL' }, action, { role }, reset004, { data });
      expect(d.ok && d.timeStandard).toEqual(standard);
    },
  );

  test('seed 003: reject 5 min, notify 10 min, archive 5 min', () => {
    const reject = decide(
      { step: 'VALIDITY_CHECK', channel: 'EMAIL' },
      'validity_result',
      { role: 'ADMIN_PPE' },
      reset003,
      {
        data: { valid: false },
      },
    );
    expect(reject.ok && reject.timeStandard).toEqual({ kind: 'MINUTES', minutes: 5 });
    const notify = decide(
      { step: 'RESOLUTION', channel: 'EMAIL' },
      'resolve',
      { role: 'ADMIN_PPE' },
      reset003,
    );
    expect(notify.ok && notify.timeStandard).toEqual({ kind: 'MINUTES', minutes: 10 });
    const archive = decide(
      { step: 'NOTIFY_RESULT', channel: 'EMAIL' },
      'notify',
      { role: 'ADMIN_PPE' },
      reset003,
    );
    expect(archive.ok && archive.timeStandard).toEqual({ kind: 'MINUTES', minutes: 5 });
  });

  test('resolving runs the connector; the result notice goes only to the contact of record', () => {
    const resolve = decide(
      { step: 'RESOLUTION', channel: 'WHATSAPP' },
      'resolve',
      { role: 'ADMIN_PPE' },
      reset004,
    );
    expect(resolve.ok && resolve.effects).toEqual([{ kind: 'RESOLVE_ACCOUNT' }]);
    const notify = decide(
      { step: 'NOTIFY_RESULT', channel: 'WHATSAPP' },
      'notify',
      { role: 'HELPDESK' },
      reset004,
    );
    expect(notify.ok && notify.effects).toEqual([
      { kind: 'NOTIFY_REQUESTER', template: 'password-reset', recipient: 'CONTACT_OF_RECORD' },
    ]);
    const userId = workflowDefinitions.get('seed004-user-id-info');
    if (!userId) throw new Error('missing');
    const n2 = decide(
      { step: 'NOTIFY_RESULT', channel: 'EMAIL' },
      'notify',
      { role: 'HELPDESK' },
      userId,
    );
    expect(n2.ok && n2.effects).toEqual([
      { kind: 'NOTIFY_REQUESTER', template: 'user-id-info', recipient: 'CONTACT_OF_RECORD' },
    ]);
  });

  test('an email request is opened the same working day; a walk-in has no pickup standard', () => {
    const step = reset004.steps.find((s) => s.id === 'RECEIVED');
    expect(step?.timeStandard).toEqual({ kind: 'SAME_WORKING_DAY' });
    expect(step?.timeStandardByChannel?.WALK_IN).toEqual({ kind: 'NONE' });
  });

  test('the definition is chosen from type, requester role and office setting', () => {
    const bureau = { helpdeskRequestsToAdminPpe: true };
    const lpse = { helpdeskRequestsToAdminPpe: false };
    expect(selectDefinition('RESET_PASSWORD', 'HELPDESK', bureau).id).toBe(
      'seed003-reset-password',
    );
    expect(selectDefinition('USER_ID_INFO', 'HELPDESK', bureau).id).toBe('seed003-user-id-info');
    expect(selectDefinition('RESET_PASSWORD', 'PPK', bureau).id).toBe('seed004-reset-password');
    expect(selectDefinition('RESET_PASSWORD', 'HELPDESK', lpse).id).toBe('seed004-reset-password');
    expect(selectDefinition('USER_ID_INFO', null, lpse).id).toBe('seed004-user-id-info');
    // No type yet (an email the intake could not classify): the helpdesk classifies it first.
    expect(selectDefinition(null, 'HELPDESK', bureau).id).toBe('intake-unclassified');
  });

  test('an unclassified request is opened the same working day and handed over by classify', () => {
    const def = selectDefinition(null, null, { helpdeskRequestsToAdminPpe: false });
    expect(def.ticketType).toBeNull();
    expect(def.steps.find((s) => s.id === def.initialStep)?.timeStandard).toEqual({
      kind: 'SAME_WORKING_DAY',
    });
    const d = decide(
      { step: 'UNCLASSIFIED', channel: 'EMAIL' },
      'classify',
      { role: 'HELPDESK' },
      def,
      {
        data: { type: 'USER_ID_INFO' },
      },
    );
    expect(d.ok && d.transition.handoff).toBe(true);
    // Archiving mail that is not a request needs a reason.
    expect(
      decide({ step: 'UNCLASSIFIED', channel: 'EMAIL' }, 'archive', { role: 'HELPDESK' }, def, {}),
    ).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
  });

  test('an Auditor needs the examination order instead of the SK', () => {
    expect(reset004.requiredDocuments.default).toEqual(['REQUEST_FORM', 'SK_PENUNJUKAN']);
    expect(reset004.requiredDocuments.bySpseRole?.AUDITOR).toEqual([
      'REQUEST_FORM',
      'SURAT_PERINTAH_PEMERIKSAAN',
    ]);
  });
});

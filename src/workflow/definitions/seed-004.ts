import type { Role } from '../../auth/roles';
import type { TimeStandard } from '../time-standard';
import type { TicketType, TransitionDefinition, WorkflowDefinition } from '../workflow.types';

const minutes = (n: number): TimeStandard => ({ kind: 'MINUTES', minutes: n });
const none: TimeStandard = { kind: 'NONE' };

/** Anyone who may attach a requester's document: the channels' service accounts and the desk staff. */
export const documentSenders: readonly Role[] = ['BOT', 'INTAKE', 'FRONT_OFFICE', 'HELPDESK'];

/**
 * Seed 004: LPSE SOP "Perubahan password dan informasi user ID bagi pengguna SPSE selain penyedia"
 * (Admin Agency, Auditor, PPK, Panitia, Helpdesk, Verifikator). One builder, two definitions:
 * the steps are the same; what `resolve` does and which notice follows differ by type.
 */
export function seed004Definition(ticketType: TicketType): WorkflowDefinition {
  const resultNotice = ticketType === 'RESET_PASSWORD' ? 'password-reset' : 'user-id-info';
  const transitions: TransitionDefinition[] = [
    { action: 'open', from: 'RECEIVED', to: 'COMPLETENESS_CHECK', roles: ['HELPDESK'] },
    {
      action: 'completeness_result',
      from: 'COMPLETENESS_CHECK',
      to: 'READY_TO_FORWARD',
      roles: ['HELPDESK'],
      when: { complete: true },
    },
    {
      action: 'completeness_result',
      from: 'COMPLETENESS_CHECK',
      to: 'INCOMPLETE',
      roles: ['HELPDESK'],
      when: { complete: false },
    },
    {
      action: 'ask_to_complete',
      from: 'INCOMPLETE',
      to: 'AWAITING_REQUESTER',
      roles: ['HELPDESK'],
      effects: [
        { kind: 'NOTIFY_REQUESTER', template: 'documents-missing', recipient: 'REQUESTER_CONTACT' },
      ],
    },
    {
      action: 'document_added',
      from: 'AWAITING_REQUESTER',
      to: 'COMPLETENESS_CHECK',
      roles: documentSenders,
    },
    { action: 'forward', from: 'READY_TO_FORWARD', to: 'VALIDITY_CHECK', roles: ['HELPDESK'] },
    {
      action: 'validity_result',
      from: 'VALIDITY_CHECK',
      to: 'RESOLUTION',
      roles: ['ADMIN_PPE'],
      when: { valid: true },
    },
    {
      action: 'validity_result',
      from: 'VALIDITY_CHECK',
      to: 'REJECTION',
      roles: ['ADMIN_PPE'],
      when: { valid: false },
    },
    {
      action: 'resolve',
      from: 'RESOLUTION',
      to: 'NOTIFY_RESULT',
      roles: ['ADMIN_PPE'],
      effects: [{ kind: 'RESOLVE_ACCOUNT' }],
    },
    {
      action: 'reject',
      from: 'REJECTION',
      to: 'ARCHIVING',
      roles: ['ADMIN_PPE', 'HELPDESK'],
      requiresReason: true,
      effects: [
        { kind: 'NOTIFY_REQUESTER', template: 'request-rejected', recipient: 'REQUESTER_CONTACT' },
      ],
    },
    {
      action: 'notify',
      from: 'NOTIFY_RESULT',
      to: 'ARCHIVING',
      roles: ['HELPDESK', 'ADMIN_PPE'],
      effects: [
        { kind: 'NOTIFY_REQUESTER', template: resultNotice, recipient: 'CONTACT_OF_RECORD' },
      ],
    },
    { action: 'archive', from: 'ARCHIVING', to: 'ARCHIVED', roles: ['ADMIN_PPE'] },
  ];
  return {
    id: ticketType === 'RESET_PASSWORD' ? 'seed004-reset-password' : 'seed004-user-id-info',
    name:
      ticketType === 'RESET_PASSWORD'
        ? {
            id: 'Reset password pengguna SPSE (SOP LPSE)',
            en: 'SPSE user password reset (LPSE SOP)',
          }
        : {
            id: 'Informasi user ID pengguna SPSE (SOP LPSE)',
            en: 'SPSE user ID information (LPSE SOP)',
          },
    source: 'seed 004',
    ticketType,
    initialStep: 'RECEIVED',
    steps: [
      {
        id: 'RECEIVED',
        label: { id: 'Permohonan diterima', en: 'Request received' },
        sop: '1–4',
        // Email and WhatsApp requests are opened the same working day; a walk-in is called from the queue.
        timeStandard: { kind: 'SAME_WORKING_DAY' },
        timeStandardByChannel: { WALK_IN: none },
      },
      {
        id: 'COMPLETENESS_CHECK',
        label: { id: 'Pemeriksaan kelengkapan', en: 'Completeness check' },
        sop: '5',
        timeStandard: minutes(5),
      },
      {
        id: 'INCOMPLETE',
        label: { id: 'Berkas belum lengkap', en: 'Incomplete' },
        sop: '6',
        timeStandard: minutes(5),
      },
      {
        id: 'AWAITING_REQUESTER',
        label: { id: 'Menunggu kelengkapan dari pemohon', en: 'Waiting for the requester' },
        sop: '7',
        timeStandard: none,
      },
      {
        id: 'READY_TO_FORWARD',
        label: { id: 'Berkas lengkap', en: 'Complete' },
        sop: '8',
        timeStandard: none,
      },
      {
        id: 'VALIDITY_CHECK',
        label: { id: 'Pemeriksaan kebenaran berkas', en: 'Validity check' },
        sop: '9',
        timeStandard: minutes(15),
      },
      {
        id: 'RESOLUTION',
        label:
          ticketType === 'RESET_PASSWORD'
            ? { id: 'Reset password', en: 'Password reset' }
            : { id: 'Pencarian user ID', en: 'User ID lookup' },
        sop: '10',
        timeStandard: minutes(10),
      },
      {
        id: 'REJECTION',
        label: { id: 'Pemberitahuan penolakan', en: 'Rejection notice' },
        sop: '11',
        timeStandard: minutes(5),
      },
      {
        id: 'NOTIFY_RESULT',
        label: { id: 'Pemberitahuan hasil', en: 'Result notice' },
        sop: '12, 14',
        timeStandard: minutes(10),
      },
      {
        id: 'ARCHIVING',
        label: { id: 'Pengarsipan berkas', en: 'Archiving' },
        sop: '13',
        timeStandard: minutes(10),
      },
      {
        id: 'ARCHIVED',
        label: { id: 'Diarsipkan', en: 'Archived' },
        sop: '13',
        timeStandard: none,
        terminal: true,
      },
    ],
    transitions,
    requiredDocuments: {
      default: ['REQUEST_FORM', 'SK_PENUNJUKAN'],
      bySpseRole: { AUDITOR: ['REQUEST_FORM', 'SURAT_PERINTAH_PEMERIKSAAN'] },
    },
  };
}

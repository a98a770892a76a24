import type { TimeStandard } from '../time-standard';
import type { TicketType, WorkflowDefinition } from '../workflow.types';
import { documentSenders } from './seed-004';

const minutes = (n: number): TimeStandard => ({ kind: 'MINUTES', minutes: n });
const none: TimeStandard = { kind: 'NONE' };

/**
 * Seed 003: East Kalimantan procurement bureau SOP "Perubahan password dan pemberian informasi
 * user ID Helpdesk": the requester is an LPSE helpdesk member and the Admin PPE does every step.
 * Time standards only where the SOP gives them: rejection 5 min, notice 10 min, archive 5 min.
 */
export function seed003Definition(ticketType: TicketType): WorkflowDefinition {
  return {
    id: ticketType === 'RESET_PASSWORD' ? 'seed003-reset-password' : 'seed003-user-id-info',
    name:
      ticketType === 'RESET_PASSWORD'
        ? {
            id: 'Reset password Helpdesk LPSE (SOP Biro PBJ)',
            en: 'LPSE helpdesk password reset (bureau SOP)',
          }
        : {
            id: 'Informasi user ID Helpdesk LPSE (SOP Biro PBJ)',
            en: 'LPSE helpdesk user ID information (bureau SOP)',
          },
    source: 'seed 003',
    ticketType,
    initialStep: 'RECEIVED',
    steps: [
      {
        id: 'RECEIVED',
        label: { id: 'Permohonan diterima', en: 'Request received' },
        sop: '1',
        timeStandard: none,
      },
      {
        id: 'COMPLETENESS_CHECK',
        label: { id: 'Pemeriksaan kelengkapan', en: 'Completeness check' },
        sop: '2',
        timeStandard: none,
      },
      {
        id: 'INCOMPLETE',
        label: { id: 'Berkas belum lengkap', en: 'Incomplete' },
        sop: '3',
        timeStandard: none,
      },
      {
        id: 'AWAITING_REQUESTER',
        label: { id: 'Menunggu kelengkapan dari Helpdesk', en: 'Waiting for the helpdesk member' },
        sop: '4',
        timeStandard: none,
      },
      {
        id: 'VALIDITY_CHECK',
        label: { id: 'Pemeriksaan kebenaran berkas', en: 'Validity check' },
        sop: '5',
        timeStandard: none,
      },
      {
        id: 'RESOLUTION',
        label: { id: 'Reset password / pencarian user ID', en: 'Reset or lookup' },
        sop: '6',
        timeStandard: none,
      },
      {
        id: 'REJECTION',
        label: { id: 'Pemberitahuan penolakan', en: 'Rejection notice' },
        sop: '7',
        timeStandard: minutes(5),
      },
      {
        id: 'NOTIFY_RESULT',
        label: { id: 'Pemberitahuan hasil', en: 'Result notice' },
        sop: '8',
        timeStandard: minutes(10),
      },
      {
        id: 'ARCHIVING',
        label: { id: 'Pengarsipan berkas', en: 'Archiving' },
        sop: '9',
        timeStandard: minutes(5),
      },
      {
        id: 'ARCHIVED',
        label: { id: 'Diarsipkan', en: 'Archived' },
        sop: '9',
        timeStandard: none,
        terminal: true,
      },
    ],
    transitions: [
      { action: 'open', from: 'RECEIVED', to: 'COMPLETENESS_CHECK', roles: ['ADMIN_PPE'] },
      {
        action: 'completeness_result',
        from: 'COMPLETENESS_CHECK',
        to: 'VALIDITY_CHECK',
        roles: ['ADMIN_PPE'],
        when: { complete: true },
      },
      {
        action: 'completeness_result',
        from: 'COMPLETENESS_CHECK',
        to: 'INCOMPLETE',
        roles: ['ADMIN_PPE'],
        when: { complete: false },
      },
      {
        action: 'ask_to_complete',
        from: 'INCOMPLETE',
        to: 'AWAITING_REQUESTER',
        roles: ['ADMIN_PPE'],
        effects: [
          {
            kind: 'NOTIFY_REQUESTER',
            template: 'documents-missing',
            recipient: 'REQUESTER_CONTACT',
          },
        ],
      },
      {
        action: 'document_added',
        from: 'AWAITING_REQUESTER',
        to: 'COMPLETENESS_CHECK',
        roles: [...documentSenders, 'ADMIN_PPE'],
      },
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
        roles: ['ADMIN_PPE'],
        requiresReason: true,
        effects: [
          {
            kind: 'NOTIFY_REQUESTER',
            template: 'request-rejected',
            recipient: 'REQUESTER_CONTACT',
          },
        ],
      },
      {
        action: 'notify',
        from: 'NOTIFY_RESULT',
        to: 'ARCHIVING',
        roles: ['ADMIN_PPE'],
        effects: [
          {
            kind: 'NOTIFY_REQUESTER',
            template: ticketType === 'RESET_PASSWORD' ? 'password-reset' : 'user-id-info',
            recipient: 'CONTACT_OF_RECORD',
          },
        ],
      },
      { action: 'archive', from: 'ARCHIVING', to: 'ARCHIVED', roles: ['ADMIN_PPE'] },
    ],
    requiredDocuments: { default: ['REQUEST_FORM', 'SK_PENUNJUKAN'] },
  };
}

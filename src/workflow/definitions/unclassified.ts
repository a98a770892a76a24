import type { WorkflowDefinition } from '../workflow.types';

/**
 * A request whose type could not be told from how it arrived (an email that names neither a
 * password reset nor a user ID). It waits here, with seed 004's "opened the same working day"
 * standard, until the helpdesk classifies it: `classify` hands the ticket over to the definition
 * of the type it names (seed 004 or 003, chosen like any new ticket), which starts at its own
 * initial step with its own time standard. Mail that is not a request at all is archived with a
 * reason.
 */
export const unclassifiedDefinition: WorkflowDefinition = {
  id: 'intake-unclassified',
  name: { id: 'Permohonan belum diklasifikasi', en: 'Unclassified request' },
  source: 'seed 004 step 4 (email and WhatsApp requests are opened the same working day)',
  ticketType: null,
  initialStep: 'UNCLASSIFIED',
  steps: [
    {
      id: 'UNCLASSIFIED',
      label: { id: 'Menunggu klasifikasi', en: 'Awaiting classification' },
      sop: '4',
      timeStandard: { kind: 'SAME_WORKING_DAY' },
    },
    {
      id: 'CLASSIFIED',
      label: { id: 'Diklasifikasi', en: 'Classified' },
      sop: '4',
      timeStandard: { kind: 'NONE' },
      terminal: true,
    },
    {
      id: 'ARCHIVED',
      label: { id: 'Diarsipkan (bukan permohonan)', en: 'Archived (not a request)' },
      sop: '13',
      timeStandard: { kind: 'NONE' },
      terminal: true,
    },
  ],
  transitions: [
    {
      action: 'classify',
      from: 'UNCLASSIFIED',
      to: 'CLASSIFIED',
      roles: ['HELPDESK'],
      handoff: true,
    },
    {
      action: 'archive',
      from: 'UNCLASSIFIED',
      to: 'ARCHIVED',
      roles: ['HELPDESK'],
      requiresReason: true,
    },
  ],
  requiredDocuments: { default: [] },
};

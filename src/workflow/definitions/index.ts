import type { SpseRole } from '../../registry/spse-roles';
import type { TicketType, WorkflowDefinition } from '../workflow.types';
import { seed003Definition } from './seed-003';
import { seed004Definition } from './seed-004';
import { unclassifiedDefinition } from './unclassified';

/** Every definition Loket ships, by id. A ticket keeps the id it started with. */
export const workflowDefinitions: ReadonlyMap<string, WorkflowDefinition> = new Map(
  [
    seed004Definition('RESET_PASSWORD'),
    seed004Definition('USER_ID_INFO'),
    seed003Definition('RESET_PASSWORD'),
    seed003Definition('USER_ID_INFO'),
    unclassifiedDefinition,
  ].map((d) => [d.id, d]),
);

export interface OfficeWorkflowSettings {
  /** Offices that follow seed 003 for requests from an LPSE helpdesk member (a bureau, not an LPSE desk). */
  helpdeskRequestsToAdminPpe: boolean;
}

/**
 * Picks the definition from the ticket type, the requester's SPSE role and the office's setting;
 * a request without a type yet waits in the unclassified definition for the helpdesk.
 */
export function selectDefinition(
  ticketType: TicketType | null,
  requesterRole: SpseRole | null,
  office: OfficeWorkflowSettings,
): WorkflowDefinition {
  if (ticketType === null) return unclassifiedDefinition;
  const family =
    office.helpdeskRequestsToAdminPpe && requesterRole === 'HELPDESK' ? 'seed003' : 'seed004';
  const id = `${family}-${ticketType === 'RESET_PASSWORD' ? 'reset-password' : 'user-id-info'}`;
  const def = workflowDefinitions.get(id);
  if (!def) throw new Error(`no workflow definition ${id}`);
  return def;
}

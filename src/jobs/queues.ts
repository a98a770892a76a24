/**
 * BullMQ queue names. DO NOT RENAME: jobs already waiting in Redis under an old name would be
 * orphaned on deploy. Add a new queue instead and drain the old one.
 */
export const queueNames = {
  maintenance: 'maintenance',
} as const;

/** Job names (dotted) and their payloads. Payloads hold ids, never personal data or secrets. */
export interface JobPayloads {
  'auth.purge-sessions': Record<string, never>;
}
export type JobName = keyof JobPayloads;

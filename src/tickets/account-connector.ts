import { generatePassword } from '../auth/auth.service';

/**
 * Where a reset or a user-ID lookup really happens. SPSE offers no API for it, so the shipped
 * connector is `manual`: Loket generates the temporary password, the Admin PPE sets it in SPSE by
 * hand, and Loket delivers it to the contact of record. A connector for a system with an API
 * implements the same two calls.
 */
export interface AccountConnector {
  readonly name: string;
  resetPassword(request: {
    ticketId: string;
    userId: string | null;
  }): Promise<{ temporaryPassword: string }>;
  lookupUserId(request: {
    ticketId: string;
    registryEntryId: string | null;
  }): Promise<{ found: boolean }>;
}

export const manualConnector: AccountConnector = {
  name: 'manual',
  resetPassword: () => Promise.resolve({ temporaryPassword: generatePassword() }),
  // The user ID is the registry entry's; the notice reads it at send time, to the contact of record.
  lookupUserId: (request) => Promise.resolve({ found: request.registryEntryId !== null }),
};

import { AuditEvent } from '../audit/audit-event.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { ServiceAccount } from '../auth/service-account.entity';
import { StaffUser } from '../auth/staff-user.entity';
import { RegistryEntry } from '../registry/registry-entry.entity';
import { RegistryImport } from '../registry/registry-import.entity';

/** Every entity; a new one goes here and gets a generated migration (npm run db:migration:generate). */
export const entities = [
  StaffUser,
  RefreshToken,
  ServiceAccount,
  AuditEvent,
  RegistryEntry,
  RegistryImport,
];

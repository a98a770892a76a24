import { AuditEvent } from '../audit/audit-event.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { ServiceAccount } from '../auth/service-account.entity';
import { StaffUser } from '../auth/staff-user.entity';
import { RegistryEntry } from '../registry/registry-entry.entity';
import { RegistryImport } from '../registry/registry-import.entity';
import { TicketDocument } from '../documents/document.entity';
import { Office, OfficeHolidayOverride } from '../offices/office.entity';
import { Notification, WhatsAppWebhookEvent } from '../notifications/notification.entity';
import { GuestBookEntry, QueueCounter } from '../frontoffice/queue.entity';
import { OneTimeSecret, OutboxMessage } from '../outbox/outbox.entity';
import {
  RejectReason,
  Ticket,
  TicketCounter,
  TicketEvent,
  TicketMessage,
  TicketStepDeadline,
} from '../tickets/ticket.entity';
import { InboundEmail, InboundMailboxCursor } from '../email/inbound-email.entity';

/** Every entity; a new one goes here and gets a generated migration (npm run db:migration:generate). */
export const entities = [
  StaffUser,
  RefreshToken,
  ServiceAccount,
  AuditEvent,
  RegistryEntry,
  RegistryImport,
  Office,
  OfficeHolidayOverride,
  Ticket,
  TicketEvent,
  TicketStepDeadline,
  TicketMessage,
  TicketCounter,
  RejectReason,
  TicketDocument,
  OutboxMessage,
  OneTimeSecret,
  Notification,
  WhatsAppWebhookEvent,
  QueueCounter,
  GuestBookEntry,
  InboundEmail,
  InboundMailboxCursor,
];

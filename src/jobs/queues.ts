import type { NoticeTemplate } from '../workflow/workflow.types';

/**
 * BullMQ queue names. DO NOT RENAME: jobs already waiting in Redis under an old name would be
 * orphaned on deploy. Add a new queue instead and drain the old one.
 */
export const queueNames = {
  maintenance: 'maintenance',
  /** notify.requester / notify.staff: turn an effect into delivery records and send jobs. */
  notifications: 'notifications',
  /** email.send: sent by the workers. */
  emailSend: 'email-send',
  /** whatsapp.send: sent only by the bot process, which holds the WhatsApp session. */
  whatsappOutbound: 'whatsapp-outbound',
  /** whatsapp.messages: inbound Cloud API messages, for the bot's conversation. */
  whatsappInbound: 'whatsapp-inbound',
  /** whatsapp.send to a chat simulator chat (`sim:<uuid>`): sent by the bot's simulator transport. */
  chatSimulatorOutbound: 'chat-simulator-outbound',
  /** inbound-email.process (job id derived from the Message-ID) and inbound-email.poll (IMAP). */
  inboundEmail: 'inbound-email',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/** Job names (dotted) and their payloads. Payloads hold ids, never personal data or secrets. */
export interface JobPayloads {
  'auth.purge-sessions': Record<string, never>;
  'tickets.scan-deadlines': Record<string, never>;
  'tickets.purge-retention': Record<string, never>;
  'secrets.purge-expired': Record<string, never>;
  'outbox.relay': Record<string, never>;
  'notifications.sweep': Record<string, never>;
  /** A notice to the requester; the notification worker re-reads the ticket and the registry. */
  'notify.requester': {
    ticketId: string;
    template: NoticeTemplate;
    recipient: 'CONTACT_OF_RECORD' | 'REQUESTER_CONTACT';
    /** The one-time secret to deliver (a temporary password), when there is one. */
    secretId?: string;
    /** The staff reply to deliver, for `staff-reply`. */
    messageId?: string;
  };
  /** An alert to staff, e.g. a breached deadline. */
  'notify.staff': { ticketId: string; template: NoticeTemplate; roles: string[]; step?: string };
  /** Delivery statuses of a stored Cloud API webhook: they update the delivery records. */
  'whatsapp.statuses': { eventId: string };
  /**
   * Messages of a stored Cloud API webhook, for the bot: the outbox row holds the id; the relay
   * adds the messages sealed for the bot (src/whatsapp/inbound-seal.ts) when it hands the job on.
   */
  'whatsapp.messages': { eventId: string; sealed?: string };
  /** Send one email notification (the job id is the notification id). */
  'email.send': { notificationId: string };
  /**
   * Send one WhatsApp notification (the job id is the notification id). The bot claims it through
   * the API, which renders the text and gives the recipient; nothing personal rides in Redis.
   */
  'whatsapp.send': {
    notificationId: string;
    template: NoticeTemplate;
    language: 'id' | 'en';
    /** What the recipient reference is: a WhatsApp chat id or an E.164 phone number. */
    recipientType: 'CHAT_ID' | 'PHONE';
  };
  /** Process one stored inbound mail (its raw file and row are already durable). */
  'inbound-email.process': { inboundEmailId: string };
  /** Poll the IMAP intake mailbox once (a job scheduler repeats it). */
  'inbound-email.poll': Record<string, never>;
}
export type JobName = keyof JobPayloads;

/** The jobs of the maintenance queue: periodic, no payload. */
export const maintenanceJobs = [
  'auth.purge-sessions',
  'tickets.scan-deadlines',
  'tickets.purge-retention',
  'secrets.purge-expired',
  'notifications.sweep',
  'whatsapp.purge-webhooks',
  'email.purge-unrouted',
] as const;
export type MaintenanceJob = (typeof maintenanceJobs)[number];

import { randomUUID } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import type { Actor, AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/auth.service';
import { insertRow } from '../db/insert';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { Ticket, TicketEvent } from '../tickets/ticket.entity';
import type { TicketsService } from '../tickets/tickets.service';
import { decide } from '../workflow/decide';
import { workflowDefinitions } from '../workflow/definitions';
import type { DocumentKind } from '../workflow/workflow.types';
import { TicketDocument } from './document.entity';
import {
  DOCUMENT_SNIFF_BYTES,
  safeDownloadName,
  sniffDocumentType,
  type DocumentExt,
} from './file-type';
import { limitBytes, type DocumentStorage } from './storage';

export type DocumentsService = ReturnType<typeof createDocumentsService>;

/** Keeps the first bytes that pass through, for sniffing the type once the file is stored. */
function captureHead(bytes: number): { stream: Transform; head: () => Buffer } {
  const chunks: Buffer[] = [];
  let kept = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (kept < bytes) {
        chunks.push(chunk.subarray(0, bytes - kept));
        kept += Math.min(chunk.length, bytes - kept);
      }
      done(null, chunk);
    },
  });
  return { stream, head: () => Buffer.concat(chunks) };
}

/**
 * Ticket documents: type sniffed from the content (PDF, JPEG, PNG only), size-limited, hashed,
 * stored under a generated key. A document that arrives while the ticket waits for the requester
 * sends the ticket back to the completeness check by itself.
 */
export function createDocumentsService(deps: {
  dataSource: DataSource;
  storage: DocumentStorage;
  tickets: TicketsService;
  audit: AuditService;
  clock: Clock;
  maxBytes: number;
}) {
  const { dataSource, storage, tickets, audit, clock } = deps;

  return {
    async add(
      ticketId: string,
      input: {
        kind: DocumentKind;
        fileName: string;
        content: Readable;
        /** True when the multipart parser cut the file at its size limit. */
        truncated?: () => boolean;
      },
      principal: Principal,
      actor: Actor,
    ): Promise<{ document: TicketDocument; ticket: Ticket }> {
      const ticket = await tickets.get(ticketId);
      if (ticket.closedAt) {
        input.content.resume();
        throw new AppError('TICKET_CLOSED');
      }
      const key = `tickets/${ticket.id}/${randomUUID()}`;
      const head = captureHead(DOCUMENT_SNIFF_BYTES);
      // One pipeline: an aborted upload, a size overrun or a storage failure rejects here and
      // tears down every stream, instead of surfacing as an unhandled 'error' event.
      const sink = new PassThrough();
      const [stored] = await Promise.all([
        storage.put(key, sink),
        pipeline(input.content, limitBytes(deps.maxBytes), head.stream, sink),
      ]);
      const type = sniffDocumentType(head.head());
      if (input.truncated?.()) {
        await storage.delete(key);
        throw new AppError('FILE_TOO_LARGE', {
          maxMb: Math.round((deps.maxBytes / 1_048_576) * 100) / 100,
        });
      }
      if (stored.size === 0 || !type) {
        await storage.delete(key);
        throw new AppError(stored.size === 0 ? 'FILE_EMPTY' : 'FILE_TYPE_NOT_ALLOWED');
      }
      const now = clock.now();
      let document: TicketDocument;
      try {
        document = await dataSource.transaction(async (m) => {
          // Re-checked under the ticket's lock: it may have been archived while the file arrived.
          const locked = await m.findOne(Ticket, {
            where: { id: ticket.id },
            lock: { mode: 'pessimistic_write' },
          });
          if (!locked || locked.closedAt) throw new AppError('TICKET_CLOSED');
          const doc = m.create(TicketDocument, {
            ticketId: ticket.id,
            kind: input.kind,
            fileName: safeDownloadName(input.fileName, type.ext),
            contentType: type.mime,
            sizeBytes: stored.size,
            sha256: stored.sha256,
            storageKey: key,
            uploadedByType: actor.type,
            uploadedById: actor.id,
            deletedAt: null,
          });
          await m.save(doc);
          await insertRow(m, TicketEvent, {
            ticketId: ticket.id,
            at: now,
            actorType: actor.type,
            actorId: actor.id,
            actorLabel: actor.label,
            actorRole: principal.role,
            action: 'document.uploaded',
            fromStep: locked.step,
            toStep: locked.step,
            reason: null,
            data: {
              documentId: doc.id,
              kind: doc.kind,
              sizeBytes: doc.sizeBytes,
              sha256: doc.sha256,
            },
          });
          return doc;
        });
      } catch (err) {
        await storage.delete(key); // no row points at it: do not keep the file
        throw err;
      }
      // Waiting for the requester's missing documents: go back to the completeness check.
      let current = await tickets.get(ticket.id);
      const def = workflowDefinitions.get(current.workflowId);
      if (def && decide(current, 'document_added', { role: principal.role }, def).ok) {
        try {
          current = (
            await tickets.act(
              current.id,
              {
                action: 'document_added',
                version: current.version,
                data: { documentId: document.id },
              },
              principal,
              actor,
            )
          ).ticket;
        } catch (err) {
          // Someone acted on the ticket meanwhile; the document is attached either way.
          const raced = [
            'VERSION_CONFLICT',
            'ACTION_NOT_ALLOWED',
            'ROLE_NOT_ALLOWED',
            'TICKET_CLOSED',
          ];
          if (!(err instanceof AppError && raced.includes(err.code))) throw err;
        }
      }
      return { document, ticket: current };
    },

    async open(
      ticketId: string,
      documentId: string,
      actor: Actor,
    ): Promise<{ document: TicketDocument; content: Readable; downloadName: string }> {
      const document = await dataSource
        .getRepository(TicketDocument)
        .findOne({ where: { id: documentId, ticketId } });
      if (!document || document.deletedAt) throw new AppError('NOT_FOUND');
      const content = await storage.get(document.storageKey);
      await audit.record(actor, {
        action: 'document.downloaded',
        targetType: 'document',
        targetId: document.id,
        details: { ticketId },
      });
      const ext: DocumentExt =
        document.contentType === 'application/pdf'
          ? 'pdf'
          : document.contentType === 'image/png'
            ? 'png'
            : 'jpg';
      return { document, content, downloadName: safeDownloadName(document.fileName, ext) };
    },
  };
}

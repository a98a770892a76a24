import type { DataSource, EntityManager } from 'typeorm';
import type { ActorType } from './audit-event.entity';

/** Who did something, as the audit trail records it. */
export interface Actor {
  type: ActorType;
  id: string | null;
  label: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export const systemActor: Actor = { type: 'SYSTEM', id: null, label: 'system' };

export interface AuditRecord {
  action: string;
  targetType?: string;
  targetId?: string;
  /** Never secrets or personal data in clear. */
  details?: Record<string, unknown>;
}

export interface AuditService {
  record(actor: Actor, event: AuditRecord, manager?: EntityManager): Promise<void>;
}

export function createAuditService(dataSource: DataSource): AuditService {
  return {
    async record(actor, event, manager) {
      await (manager ?? dataSource.manager).query(
        `INSERT INTO audit_events (actor_type, actor_id, actor_label, action, target_type, target_id, ip, request_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          actor.type,
          actor.id,
          actor.label,
          event.action,
          event.targetType ?? null,
          event.targetId ?? null,
          actor.ip ?? null,
          actor.requestId ?? null,
          JSON.stringify(event.details ?? {}),
        ],
      );
    },
  };
}

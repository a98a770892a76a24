import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../shared/clock';
import { createServiceToken, sha256Hex } from './auth.service';
import { ServiceAccount } from './service-account.entity';

/** The BOT service account the all-in-one (`npm start`) gives its own bot. */
export const INTERNAL_BOT_ACCOUNT = 'bot-internal';

/**
 * `npm start` without LOKET_BOT_TOKEN: a fresh token for the internal BOT account, minted at each
 * start. Only its hash is stored, so replacing the hash revokes the previous start's token. The
 * token lives in this process's memory only (never printed or written anywhere). An account of
 * that name that is not a BOT is left alone (start-up fails instead of widening its rights).
 */
/** The internal BOT account was revoked by a SUPERVISOR; the all-in-one then runs without the bot. */
export class InternalBotRevoked extends Error {
  override name = 'InternalBotRevoked';
}

export async function rotateInternalBotToken(deps: {
  dataSource: DataSource;
  audit: AuditService;
  clock: Clock;
}): Promise<string> {
  const { dataSource, audit, clock } = deps;
  return dataSource.transaction(async (m) => {
    const existing = await m.findOne(ServiceAccount, {
      where: { name: INTERNAL_BOT_ACCOUNT },
      lock: { mode: 'pessimistic_write' },
    });
    if (existing && existing.kind !== 'BOT')
      throw new Error(`service account ${INTERNAL_BOT_ACCOUNT} exists and is not a BOT account`);
    // A SUPERVISOR revoked it on purpose: a restart must not quietly undo that.
    if (existing?.revokedAt)
      throw new InternalBotRevoked(
        `service account ${INTERNAL_BOT_ACCOUNT} was revoked; the bot stays off (set LOKET_BOT_TOKEN to run it with another BOT account)`,
      );
    const id = existing?.id ?? randomUUID();
    const token = createServiceToken(id);
    if (existing) {
      await m.update(
        ServiceAccount,
        { id },
        { tokenHash: sha256Hex(token), revokedAt: null, lastUsedAt: null },
      );
    } else {
      await m.insert(ServiceAccount, {
        id,
        name: INTERNAL_BOT_ACCOUNT,
        kind: 'BOT',
        tokenHash: sha256Hex(token),
        createdBy: null,
        revokedAt: null,
        lastUsedAt: null,
        createdAt: clock.now(),
      });
    }
    await audit.record(
      { type: 'SYSTEM', id: null, label: 'npm start' },
      {
        action: existing ? 'service_account.token_rotated' : 'service_account.created',
        targetType: 'service_account',
        targetId: id,
        details: { name: INTERNAL_BOT_ACCOUNT, kind: 'BOT' },
      },
      m,
    );
    return token;
  });
}

import { createSealer, type Sealer } from '../src/shared/sealer';

export type { Sealer } from '../src/shared/sealer';

/**
 * The bot's own Redis state (conversation state with the NIK being collected, queued messages,
 * documents waiting for a request), sealed with a key derived from a secret the bot already holds,
 * its API token. Same derivation as before the sealer moved to src/shared, so state survives.
 */
export function botStateSealer(secret: string): Sealer {
  return createSealer(secret, 'redis-state-v1', 'loket-bot');
}

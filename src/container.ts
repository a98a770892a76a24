import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { createAuditService, type AuditService } from './audit/audit.service';
import { createAuthService, type AuthService } from './auth/auth.service';
import { createLoginThrottle } from './auth/login-throttle';
import { createStaffService, type StaffService } from './auth/staff.service';
import { join } from 'node:path';
import { createDocumentsService, type DocumentsService } from './documents/documents.service';
import { createLocalStorage, type DocumentStorage } from './documents/storage';
import { createOfficesService, type OfficesService } from './offices/offices.service';
import { createRegistryService, type RegistryService } from './registry/registry.service';
import { manualConnector, type AccountConnector } from './tickets/account-connector';
import { createTicketsService, type TicketsService } from './tickets/tickets.service';
import { createNotifier, type Notifier } from './notifications/notifier';
import { createQueueService, type QueueServiceApi } from './frontoffice/queue.service';
import { createBoardHub, type BoardHub } from './frontoffice/board-hub';
import { loadNotificationTemplates, type NotificationTemplates } from './notifications/templates';
import { systemClock, type Clock } from './shared/clock';
import type { Secrets } from './shared/secrets';

/** The services every process (API, workers, CLI) builds from the same explicit dependencies. */
export interface Container {
  config: Config;
  dataSource: DataSource;
  redis: Redis;
  secrets: Secrets;
  clock: Clock;
  audit: AuditService;
  auth: AuthService;
  staff: StaffService;
  registry: RegistryService;
  offices: OfficesService;
  tickets: TicketsService;
  storage: DocumentStorage;
  documents: DocumentsService;
  templates: NotificationTemplates;
  notifier: Notifier;
  queue: QueueServiceApi;
  board: BoardHub;
}

export function createContainer(deps: {
  config: Config;
  dataSource: DataSource;
  redis: Redis;
  secrets: Secrets;
  clock?: Clock;
  storage?: DocumentStorage;
  connector?: AccountConnector;
  templates?: NotificationTemplates;
}): Container {
  const { config, dataSource, redis, secrets } = deps;
  const clock = deps.clock ?? systemClock;
  const audit = createAuditService(dataSource);
  const throttle = createLoginThrottle(redis, config.REDIS_PREFIX, {
    perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    perIp: config.LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
  });
  const auth = createAuthService({ dataSource, audit, throttle, clock, config });
  const staff = createStaffService({ dataSource, audit, auth, clock });
  const registry = createRegistryService({ dataSource, pii: secrets.pii, audit, clock, config });
  const offices = createOfficesService({ dataSource, config });
  const storage =
    deps.storage ??
    createLocalStorage(config.DOCUMENTS_DIR ?? join(config.LOKET_DATA_DIR, 'documents'));
  const tickets = createTicketsService({
    dataSource,
    pii: secrets.pii,
    audit,
    clock,
    offices,
    connector: deps.connector ?? manualConnector,
    config,
  });
  const documents = createDocumentsService({
    dataSource,
    storage,
    tickets,
    audit,
    clock,
    maxBytes: config.UPLOAD_MAX_BYTES,
  });
  // Compiled once; a missing or broken template stops start-up here.
  const templates = deps.templates ?? loadNotificationTemplates();
  const notifier = createNotifier({
    dataSource,
    pii: secrets.pii,
    templates,
    config,
    clock,
    log: (level, message) => {
      if (level !== 'info') process.stderr.write(`notifications: ${message}\n`);
    },
  });
  const board = createBoardHub(redis, config.REDIS_PREFIX);
  const queue = createQueueService({
    dataSource,
    offices,
    tickets,
    audit,
    clock,
    onBoardChange: () => {
      board.publish();
    },
  });
  return {
    board,
    queue,
    templates,
    notifier,
    documents,
    config,
    dataSource,
    redis,
    secrets,
    clock,
    audit,
    auth,
    staff,
    registry,
    offices,
    tickets,
    storage,
  };
}

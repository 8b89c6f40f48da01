/**
 * Everything a handler needs, built once per Lambda container (from the environment) or per local stack
 * (explicitly). No module-level singletons: two local stacks in one process never share state.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { configFromEnv, type RuntimeConfig } from './config.js';
import { createDb, type Db } from './db/client.js';
import { createLogger, type Logger } from './log.js';
import { ChannelRepo } from './repos/channels.js';
import { ConnectionRepo } from './repos/connections.js';
import { ChannelLogRepo } from './repos/channel-log.js';
import { DeliveryRepo } from './repos/deliveries.js';
import { EventLogRepo } from './repos/events.js';
import { LeaseRepo } from './repos/leases.js';
import { LinkRepo } from './repos/links.js';
import { SequencerHolderRepo } from './repos/sequencer-holders.js';
import { SessionRepo } from './repos/sessions.js';
import { SubscriptionRepo } from './repos/subscriptions.js';
import { TenantRepo } from './repos/tenants.js';
import { FileSecretStore } from './secrets/file-store.js';
import { SecretsManagerStore } from './secrets/secrets-manager-store.js';
import type { SecretStore } from './secrets/store.js';

export interface Repos {
  tenants: TenantRepo;
  links: LinkRepo;
  sessions: SessionRepo;
  channels: ChannelRepo;
  subscriptions: SubscriptionRepo;
  connections: ConnectionRepo;
  events: EventLogRepo;
  leases: LeaseRepo;
  deliveries: DeliveryRepo;
  channelLog: ChannelLogRepo;
  sequencerHolders: SequencerHolderRepo;
}

export interface Deps {
  config: RuntimeConfig;
  db: Db;
  repos: Repos;
  secrets: SecretStore;
  logger: Logger;
  now: () => Date;
}

export function createRepos(db: Db): Repos {
  return {
    tenants: new TenantRepo(db),
    links: new LinkRepo(db),
    sessions: new SessionRepo(db),
    channels: new ChannelRepo(db),
    subscriptions: new SubscriptionRepo(db),
    connections: new ConnectionRepo(db),
    events: new EventLogRepo(db),
    leases: new LeaseRepo(db),
    deliveries: new DeliveryRepo(db),
    channelLog: new ChannelLogRepo(db),
    sequencerHolders: new SequencerHolderRepo(db),
  };
}

export function createDeps(
  config: RuntimeConfig,
  overrides: Partial<Pick<Deps, 'logger' | 'now' | 'secrets'>> = {},
): Deps {
  const db = createDb({ table: config.tableName, region: config.region, endpoint: config.dynamoEndpoint });
  const secrets =
    overrides.secrets ??
    (config.secrets.kind === 'file'
      ? new FileSecretStore(config.secrets.dir)
      : new SecretsManagerStore(
          new SecretsManagerClient({ region: config.region }),
          config.secrets.prefix,
          config.secrets.kmsKeyId,
        ));
  return {
    config,
    db,
    repos: createRepos(db),
    secrets,
    logger: overrides.logger ?? createLogger('cti-bridge'),
    now: overrides.now ?? (() => new Date()),
  };
}

/** Lazily builds the deps of a Lambda container from its environment (first invocation). */
export function lazyEnvDeps(): () => Deps {
  let deps: Deps | undefined;
  return () => (deps ??= createDeps(configFromEnv()));
}

/**
 * The key layout, in one place. Handlers never see these strings; docs/data-model.md mirrors this file.
 */
export const keys = {
  tenant: (t: string) => ({ pk: `T#${t}`, sk: 'TENANT', gsi1pk: 'TENANTS', gsi1sk: `T#${t}` }),
  apiKey: (t: string, keyId: string) => ({ pk: `T#${t}`, sk: `KEY#${keyId}` }),
  apiKeyHash: (sha256: string) => ({ pk: `KEYHASH#${sha256}`, sk: 'KEYHASH' }),
  link: (t: string, id: string) => ({
    pk: `T#${t}`,
    sk: `LINK#${id}`,
    gsi1pk: 'LINKS',
    gsi1sk: `T#${t}#LINK#${id}`,
  }),
  session: (t: string, id: string) => ({ pk: `T#${t}`, sk: `SESSION#${id}` }),
  /** Index attributes of a session: the sessions of a link. */
  sessionIndex: (t: string, id: string, link: string) => ({
    gsi1pk: `T#${t}#LINK#${link}`,
    gsi1sk: `SESSION#${id}`,
  }),
  channel: (t: string, id: string) => ({ pk: `T#${t}`, sk: `CHANNEL#${id}` }),
  /**
   * A tenant's channel revision: a counter every write of one of the tenant's channel records bumps, so
   * that delivery keeps its cached records while it stands (reading one small item, not every record).
   */
  channelRevision: (t: string) => ({ pk: `T#${t}`, sk: 'CHREV' }),
  subscription: (t: string, id: string) => ({ pk: `T#${t}`, sk: `SUB#${id}` }),
  /** Index attributes of a subscription: by channel (gsi1) and by link (gsi2). */
  subscriptionIndex: (t: string, id: string, channel: string, link: string) => ({
    gsi1pk: `T#${t}#CHANNEL#${channel}`,
    gsi1sk: `SUB#${id}`,
    gsi2pk: `T#${t}#LINK#${link}`,
    gsi2sk: `SUB#${id}`,
  }),
  /**
   * A link's subscription revision: a counter every subscription write of the link bumps, so that the
   * link's owner reads one small item, not the link's subscriptions, to learn whether they changed.
   */
  subscriptionRevision: (t: string, link: string) => ({ pk: `T#${t}`, sk: `SUBREV#${link}` }),
  connection: (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'CONN' }),
  /** Index attributes of a connection: every live connection (gsi1), how delivery finds connected channels. */
  connectionIndex: (t: string, channel: string, connectionId: string) => ({
    gsi1pk: 'CONNS',
    gsi1sk: `${t}#${channel}#${connectionId}`,
  }),
  event: (t: string, link: string, seq: number) => ({ pk: `EVT#${t}#${link}`, sk: seqKey(seq) }),
  eventPartition: (t: string, link: string) => `EVT#${t}#${link}`,
  /** The log's head marker (no TTL): numbering goes on after every segment of an idle link expired. */
  eventHead: (t: string, link: string) => ({ pk: `EVT#${t}#${link}`, sk: 'HEAD' }),
  lease: (t: string, link: string) => ({ pk: `LEASE#${t}#${link}`, sk: 'LEASE' }),
  /** A running connector and how many links it runs (how connectors share the links fairly). */
  connectorPresence: (id: string) => ({ pk: 'CONNECTORS', sk: id }),
  /**
   * A delivery process that holds WebSocket sequencers, and until when: the liveness of all its leases
   * at once (`SequencerHolderRepo`), with the channels other processes asked it for.
   */
  sequencerHolder: (id: string) => ({ pk: 'SEQHOLDER', sk: id }),
  /** Per-link watermark: every log event with seq <= `matched` has its deliveries stored. */
  deliveryWatermark: (t: string, link: string) => ({ pk: `DLVMATCH#${t}#${link}`, sk: 'MATCHED' }),
  /** Delivery of one event on one channel, by the channel's seq (webhook outbox / WebSocket delivery log). */
  delivery: (t: string, channel: string, seq: number) => ({ pk: `DLV#${t}#${channel}`, sk: seqKey(seq) }),
  deliveryPartition: (t: string, channel: string) => `DLV#${t}#${channel}`,
  /** Per-channel delivery state: seq counter and sequencer lease, acked seq, resume request, failing-since. */
  deliveryState: (t: string, channel: string) => ({ pk: `DLV#${t}#${channel}`, sk: 'STATE' }),
  /**
   * A webhook channel's latest deliveries that succeeded at their first attempt, per link (they have no
   * item of their own): written by the link's owner at most about once a second.
   */
  deliveryRecent: (t: string, channel: string, link: string) => ({
    pk: `DLV#${t}#${channel}`,
    sk: `RECENT#${link}`,
  }),
  /** Sparse index entry (gsi1) of a pending webhook delivery: the channel's queue in seq order. */
  deliveryQueue: (t: string, channel: string) => `DLVQ#${t}#${channel}`,
  /**
   * "Look at this WebSocket channel now" item: written on `$connect` and on a `resume` request, so the
   * delivery service polls one small partition instead of every channel's state.
   */
  deliveryAttention: (t: string, channel: string) => ({ pk: 'DLVATTN', sk: `${t}#${channel}` }),
  /** "Channels with pending work" index item. */
  deliveryWork: (t: string, channel: string) => ({ pk: 'DLVWORK', sk: `${t}#${channel}` }),
  prefix: {
    tenantPartition: (t: string) => `T#${t}`,
    apiKey: 'KEY#',
    link: 'LINK#',
    session: 'SESSION#',
    channel: 'CHANNEL#',
    subscription: 'SUB#',
  },
} as const;

/** Sequence numbers as fixed-width strings so they sort as numbers. */
export const seqKey = (seq: number) => seq.toString().padStart(16, '0');

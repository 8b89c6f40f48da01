/**
 * The latest-successes contract between the HTTP API and the connector. A webhook delivery that
 * succeeds at its first attempt gets no item of its own: it is listed per (channel, link), and those
 * lists are written on a budget (`recentWritesPerSec`), so with many busy channels a stored list can be
 * seconds behind. `GET /v1/channels/{id}/deliveries` therefore asks the owners of the channel's links
 * for what they delivered lately and adds it to the stored lists:
 *
 *   POST /v1/channels/latest-successes  {tenant, channel}   Authorization: Bearer <connector token>
 *   200 {"items": [DeliveryRecord, ...]}
 *
 * An owner that does not answer (or none) leaves the stored lists as they are: nothing is lost, the
 * listing is only as fresh as the last write.
 */
import { z } from 'zod';
import { postToChannelOwners } from '../connector-client.js';
import type { Deps } from '../deps.js';
import { recordOf, type DeliveryRecord } from '../repos/deliveries.js';

export const LATEST_SUCCESSES_PATH = '/v1/channels/latest-successes';

export interface LatestSuccessesRequest {
  tenant: string;
  channel: string;
}

const Answer = z.object({
  items: z.array(
    z
      .object({ seq: z.number().int(), link: z.string(), eventSeq: z.number().int(), createdAt: z.string() })
      .passthrough(),
  ),
});

/**
 * What the owners of `channel`'s links (the first `MAX_CHANNEL_LINKS`) delivered lately at the first
 * attempt (not necessarily stored yet), as delivery records of the channel.
 *
 * @example
 * const fresh = await latestSuccesses(deps, 'acme', 'ch_3KpV9'); // [{ seq: 41, status: 'delivered', ... }]
 */
export async function latestSuccesses(
  deps: Deps,
  tenant: string,
  channel: string,
  opts: { timeoutMs?: number } = {},
): Promise<DeliveryRecord[]> {
  let answers: Awaited<ReturnType<typeof postToChannelOwners>>;
  try {
    answers = await postToChannelOwners(
      deps,
      tenant,
      channel,
      LATEST_SUCCESSES_PATH,
      { tenant, channel } satisfies LatestSuccessesRequest,
      opts.timeoutMs ?? 1_000,
    );
  } catch (err) {
    // (no connector token here, a lease read failed): the stored lists are the answer
    deps.logger.warn('latest successes: the link owners could not be asked', {
      tenant,
      channel,
      error: err as Error,
    });
    return [];
  }
  const out: DeliveryRecord[] = [];
  for (const { answer: a } of answers) {
    if (a.kind !== 'answered' || a.status !== 200) continue;
    const parsed = Answer.safeParse(a.body);
    if (!parsed.success) {
      deps.logger.warn('latest successes: an owner answered something else', { tenant, channel });
      continue;
    }
    for (const it of parsed.data.items)
      out.push(recordOf({ ...it, tenant, channel, channelType: 'webhook', status: 'delivered' }));
  }
  return out;
}

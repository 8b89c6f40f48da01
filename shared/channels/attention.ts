/**
 * The channel attention contract between the WebSocket API and the connector. When a client connects
 * to a WebSocket channel (`$connect`) or asks for a `resume`, the handler asks the connectors that own
 * the channel's links to look at the channel now, so that the connection gets its frames without
 * waiting for the delivery's periodic check:
 *
 *   POST /v1/channels/attention  {tenant, channel}   Authorization: Bearer <connector token>
 *   202 {}
 *
 * The connector answers at once and applies the channel's connection and resume request in the
 * channel's queue. Without an owner (or when it does not answer) nothing is lost: the attention flag
 * the handler wrote is read by the periodic check (`channelCacheMs`, 1 s).
 */
import { postToChannelOwners } from '../connector-client.js';
import type { Deps } from '../deps.js';

export const CHANNEL_ATTENTION_PATH = '/v1/channels/attention';

export interface ChannelAttentionRequest {
  tenant: string;
  channel: string;
}

/**
 * Asks the owners of the links `channel` subscribes to (the first `MAX_CHANNEL_LINKS`; a channel
 * subscribing to more waits for the periodic check on the rest) to look at it now. Returns how many
 * answered.
 *
 * @example
 * await nudgeChannel(deps, 'acme', 'ch_3KpV9'); // 1
 */
export async function nudgeChannel(
  deps: Deps,
  tenant: string,
  channel: string,
  opts: { timeoutMs?: number } = {},
): Promise<number> {
  const answers = (
    await postToChannelOwners(
      deps,
      tenant,
      channel,
      CHANNEL_ATTENTION_PATH,
      { tenant, channel } satisfies ChannelAttentionRequest,
      opts.timeoutMs ?? 2_000,
    )
  ).map((a) => a.answer);
  const unreachable = answers.filter((a) => a.kind === 'unreachable');
  if (unreachable.length)
    deps.logger.warn('channel attention: a link owner did not answer', {
      tenant,
      channel,
      detail: unreachable.map((a) => (a.kind === 'unreachable' ? a.detail : '')).join('; '),
    });
  return answers.filter((a) => a.kind === 'answered').length;
}

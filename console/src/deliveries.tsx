/**
 * A webhook channel's deliveries: status, attempts (time, answer, latency) and a replay button that
 * queues that event again (replay from just before its seq, one event).
 */
import { useEffect, useState } from 'preact/hooks';
import { must, type BridgeClient, type Channel, type Delivery } from './api.js';
import { NoticeLine, type Notice } from './ui.js';

export function Deliveries({ client, exclude }: { client: BridgeClient; exclude: string | undefined }) {
  const [channels, setChannels] = useState<Channel[]>([]);
  const [channel, setChannel] = useState('');
  const [items, setItems] = useState<Delivery[]>([]);
  const [message, setMessage] = useState<Notice | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let gone = false;
    client
      .GET('/v1/channels')
      .then((a) => {
        if (gone) return;
        const hooks = must('listing channels', a).items.filter(
          (c) => c.type === 'webhook' && c.id !== exclude,
        );
        setChannels(hooks);
        setChannel((c) => (hooks.some((h) => h.id === c) ? c : (hooks[0]?.id ?? '')));
      })
      .catch((err: Error) => !gone && setMessage({ text: err.message, error: true }));
    return () => void (gone = true);
  }, [client, exclude, tick]);

  useEffect(() => {
    if (!channel) return setItems([]);
    let gone = false;
    client
      .GET('/v1/channels/{id}/deliveries', { params: { path: { id: channel }, query: { limit: 50 } } })
      .then((a) => !gone && setItems(must('listing deliveries', a).items))
      .catch((err: Error) => !gone && setMessage({ text: err.message, error: true }));
    return () => void (gone = true);
  }, [client, channel, tick]);

  const replay = async (d: Delivery) => {
    try {
      const r = must(
        'replay',
        await client.POST('/v1/channels/{id}/replay', {
          params: { path: { id: channel } },
          body: { after: d.eventSeq - 1, limit: 1 },
        }),
      );
      setMessage({ text: `Replay queued: ${r.queued} event(s)`, error: false });
      setTick((t) => t + 1);
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    }
  };

  return (
    <section aria-labelledby="deliveries-h" class="panel deliveries">
      <h2 id="deliveries-h">Webhook deliveries</h2>
      <div class="row">
        <label>
          Channel
          <select value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            {channels.length === 0 && <option value="">no webhook channels</option>}
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.url} ({c.status ?? 'active'})
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </div>
      <NoticeLine notice={message} />
      <div class="scroll">
        <table>
          <caption class="sr-only">Newest deliveries of the channel</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">
                <span class="sr-only">Replay</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.seq}>
                <td>{d.seq}</td>
                <td>
                  {d.eventType} <span class="muted">{`${d.link}#${d.eventSeq}`}</span>
                </td>
                <td>
                  <span class={`badge ${d.status}`}>{d.status}</span>
                </td>
                <td>
                  <ol class="attempts">
                    {d.attempts.map((a) => (
                      <li key={a.at}>
                        {a.at.slice(11, 19)} {a.statusCode ?? a.error ?? '-'} in {a.latencyMs} ms
                      </li>
                    ))}
                  </ol>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => void replay(d)}
                    aria-label={`replay delivery ${d.seq}`}
                  >
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

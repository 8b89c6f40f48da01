/**
 * The live event stream with filters (link, target, family), newest first, and the timeline of the
 * call an event belongs to: every leg (one per user side) with its events in order.
 */
import { useMemo, useState } from 'preact/hooks';
import type { BridgeEvent } from '../../shared/events/model.js';
import { callOf, FAMILIES, type Link } from './api.js';
import type { Shown } from './app.js';
import { Choice, idOptions } from './ui.js';

const SHOWN_ROWS = 200;

const stateOf = (e: BridgeEvent) => {
  const d = e.data as Record<string, { state?: string } | boolean | undefined>;
  const s =
    callOf(e)?.state ?? (d.agent as { state?: string })?.state ?? (d.conference as { state?: string })?.state;
  return s ?? (typeof d.enabled === 'boolean' ? (d.enabled ? 'on' : 'off') : '');
};
const targetOf = (e: BridgeEvent) => `${e.target.type}${e.target.id ? ` ${e.target.id}` : ''}`;
const time = (iso: string) => iso.slice(11, 23);

export function EventsView({ events, links }: { events: Shown[]; links: Link[] }) {
  const [link, setLink] = useState('');
  const [target, setTarget] = useState('');
  const [family, setFamily] = useState('');
  const [selected, setSelected] = useState<{ link: string; correlationId: string } | null>(null);

  const shown = useMemo(() => {
    const t = target.trim().toLowerCase();
    const out: Shown[] = [];
    for (let i = events.length - 1; i >= 0 && out.length < SHOWN_ROWS; i--) {
      const s = events[i]!;
      const e = s.event;
      if (link && e.link !== link) continue;
      if (family && !e.type.startsWith(`${family}.`)) continue;
      if (t && !`${targetOf(e)} ${callOf(e)?.local.user ?? ''}`.toLowerCase().includes(t)) continue;
      out.push(s);
    }
    return out;
  }, [events, link, target, family]);

  return (
    <>
      <section aria-labelledby="events-h" class="panel events">
        <h2 id="events-h">Events</h2>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <Choice
            label="Link"
            value={link}
            options={idOptions(links.map((l) => l.id))}
            onChange={setLink}
            any="all"
          />
          <label>
            Target
            <input
              type="search"
              value={target}
              placeholder="user, queue..."
              onInput={(e) => setTarget(e.currentTarget.value)}
            />
          </label>
          <Choice
            label="Family"
            value={family}
            options={idOptions(FAMILIES)}
            onChange={setFamily}
            any="all"
          />
        </form>
        <div class="scroll">
          <table aria-describedby="events-h">
            <caption class="sr-only">Newest first; choose a call to see its timeline</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">#</th>
                <th scope="col">Link</th>
                <th scope="col">Type</th>
                <th scope="col">User / target</th>
                <th scope="col">State</th>
                <th scope="col">Call</th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ event: e, channelSeq }) => {
                const call = callOf(e);
                return (
                  <tr key={e.id} data-type={e.type}>
                    <td>{time(e.time)}</td>
                    <td>{channelSeq}</td>
                    <td>{e.link}</td>
                    <td>{e.type}</td>
                    <td>{call?.local.user ?? targetOf(e)}</td>
                    <td>{stateOf(e)}</td>
                    <td>
                      {call && (
                        <button
                          type="button"
                          class="link"
                          aria-pressed={
                            selected?.link === e.link && selected.correlationId === call.correlationId
                          }
                          onClick={() => setSelected({ link: e.link, correlationId: call.correlationId })}
                        >
                          {call.correlationId}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      {selected && <Timeline events={events} {...selected} onClose={() => setSelected(null)} />}
    </>
  );
}

/** The legs of one call (by link and correlation id), each with its events in order. */
function Timeline({
  events,
  link,
  correlationId,
  onClose,
}: {
  events: Shown[];
  link: string;
  correlationId: string;
  onClose: () => void;
}) {
  const legs = useMemo(() => {
    const byLeg = new Map<string, { user: string; remote: string; events: BridgeEvent[] }>();
    for (const { event: e } of events) {
      const call = callOf(e);
      if (!call || e.link !== link || call.correlationId !== correlationId) continue;
      const key = call.id;
      const leg = byLeg.get(key) ?? { user: call.local.user, remote: call.remote.address, events: [] };
      leg.events.push(e);
      byLeg.set(key, leg);
    }
    return [...byLeg.entries()];
  }, [events, link, correlationId]);

  return (
    <section aria-labelledby="timeline-h" class="panel timeline">
      <h2 id="timeline-h">
        Call {correlationId} on {link}
      </h2>
      <button type="button" onClick={onClose}>
        Close timeline
      </button>
      <div class="legs">
        {legs.map(([key, leg]) => (
          <div key={key} class="leg">
            <h3>
              {leg.user} <span class="muted">with {leg.remote}</span>
            </h3>
            <ol>
              {leg.events.map((e) => (
                <li key={e.id}>
                  <time dateTime={e.time}>{time(e.time)}</time> {e.type}{' '}
                  <span class="muted">{stateOf(e)}</span>
                </li>
              ))}
            </ol>
          </div>
        ))}
      </div>
    </section>
  );
}

/**
 * The call panel: pick a link and one of its users, dial, and act on the user's calls (answer, hold,
 * retrieve, blind transfer, release). The calls list is read again whenever an event about that user
 * arrives, so it follows what the phone does. Every answer of the API is shown as it came (a problem's
 * title and detail when it fails).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { callOf, must, type BridgeClient, type CallView, type DirectoryUser, type Link } from './api.js';
import type { Shown } from './app.js';
import { Choice, idOptions, NoticeLine, type Notice } from './ui.js';

type Action = 'answer' | 'hold' | 'retrieve' | 'release';
const ACTIONS: Record<Action, readonly string[]> = {
  answer: ['alerting'],
  hold: ['active'],
  retrieve: ['held'],
  release: ['dialing', 'alerting', 'active', 'held'],
};

export function CallPanel({
  client,
  links,
  events,
}: {
  client: BridgeClient;
  links: Link[];
  events: Shown[];
}) {
  const [link, setLink] = useState('');
  // the users of one link: a user of the previously chosen link is never asked about on the new one
  const [directory, setDirectory] = useState<{ link: string; users: DirectoryUser[] }>({
    link: '',
    users: [],
  });
  const users = directory.link === link ? directory.users : [];
  const [user, setUser] = useState('');
  const [to, setTo] = useState('');
  const [transferTo, setTransferTo] = useState('');
  const [calls, setCalls] = useState<CallView[]>([]);
  const [message, setMessage] = useState<Notice | null>(null);

  useEffect(() => {
    if (!link && links[0]) setLink(links[0].id);
  }, [links, link]);

  useEffect(() => {
    if (!link) return;
    let gone = false;
    client
      .GET('/v1/links/{link}/users', { params: { path: { link } } })
      .then((a) => {
        if (gone) return;
        const items = must('listing users', a).items;
        setDirectory({ link, users: items });
        setUser((u) => (items.some((x) => x.id === u) ? u : (items[0]?.id ?? '')));
      })
      .catch((err: Error) => {
        if (gone) return;
        setDirectory({ link, users: [] });
        setUser('');
        setMessage({ text: `${err.message}; type a user id instead`, error: true });
      });
    return () => void (gone = true);
  }, [client, link]);

  // how many events concern this user: a change re-reads the calls
  const touches = useMemo(
    () =>
      events.filter(
        ({ event: e }) => e.link === link && (callOf(e)?.local.user === user || e.target.id === user),
      ).length,
    [events, link, user],
  );
  const known = directory.link === link && (users.length ? users.some((u) => u.id === user) : user !== '');
  useEffect(() => {
    if (!link || !known) return setCalls([]);
    let gone = false;
    client
      .GET('/v1/links/{link}/users/{user}/calls', { params: { path: { link, user } } })
      .then((a) => !gone && setCalls(must('listing calls', a).items))
      .catch((err: Error) => !gone && setMessage({ text: err.message, error: true }));
    return () => void (gone = true);
  }, [client, link, user, known, touches]);

  const run = async (what: string, fn: () => Promise<string>) => {
    setMessage({ text: `${what}...`, error: false });
    try {
      setMessage({ text: await fn(), error: false });
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    }
  };
  const dial = () =>
    run(`Dialling ${to}`, async () => {
      const r = must(
        'dial',
        await client.POST('/v1/links/{link}/users/{user}/calls', {
          params: { path: { link, user } },
          body: { to },
        }),
      );
      return `Dialled ${to}: call ${r.callId} (correlation ${r.correlationId})`;
    });
  const act = (call: string, action: Action) =>
    run(`${action} ${call}`, async () => {
      const path = { link, user, call };
      const a = await client.POST(`/v1/links/{link}/users/{user}/calls/{call}/${action}`, {
        params: { path },
      });
      must(action, a);
      return `${action}: done (${a.response.status})`;
    });
  const transfer = (call: string) =>
    run(`Transferring ${call}`, async () => {
      const a = await client.POST('/v1/links/{link}/users/{user}/calls/{call}/transfer', {
        params: { path: { link, user, call } },
        body: { mode: 'blind', to: transferTo },
      });
      must('transfer', a);
      return `transfer to ${transferTo}: done (${a.response.status})`;
    });

  return (
    <section aria-labelledby="calls-h" class="panel calls">
      <h2 id="calls-h">Call panel</h2>
      <div class="row">
        <Choice label="Link" value={link} options={idOptions(links.map((l) => l.id))} onChange={setLink} />
        <label>
          User
          {directory.link === link && !users.length ? (
            // no directory from this vendor: the user's id as the vendor knows it
            <input value={user} onChange={(e) => setUser(e.currentTarget.value.trim())} />
          ) : (
            <select value={user} onChange={(e) => setUser(e.currentTarget.value)}>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name ? `${u.name} (${u.id})` : u.id}
                  {u.extension ? ` ${u.extension}` : ''}
                </option>
              ))}
            </select>
          )}
        </label>
      </div>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (to.trim()) void dial();
        }}
      >
        <label>
          Number to dial
          <input value={to} onInput={(e) => setTo(e.currentTarget.value)} inputMode="tel" required />
        </label>
        <button type="submit" disabled={!user}>
          Dial
        </button>
      </form>
      <label>
        Transfer to
        <input value={transferTo} onInput={(e) => setTransferTo(e.currentTarget.value)} inputMode="tel" />
      </label>
      <NoticeLine notice={message} />
      <h3>Calls of {user || '...'}</h3>
      {calls.length === 0 ? (
        <p class="muted">No calls.</p>
      ) : (
        <ul class="calls-list">
          {calls.map((c) => (
            <li key={c.id} data-call={c.id}>
              <span class={`badge ${c.state}`}>{c.state}</span> {c.direction} {c.remote.address}{' '}
              <span class="muted">{c.id}</span>
              <span class="actions">
                {(Object.keys(ACTIONS) as Action[])
                  // a ringing call is answered by its callee, not by the caller hearing it ring
                  .filter(
                    (a) => ACTIONS[a].includes(c.state) && (a !== 'answer' || c.direction === 'inbound'),
                  )
                  .map((a) => (
                    <button
                      key={a}
                      type="button"
                      onClick={() => void act(c.id, a)}
                      aria-label={`${a} call ${c.id}`}
                    >
                      {a}
                    </button>
                  ))}
                {c.state === 'active' && transferTo && (
                  <button
                    type="button"
                    onClick={() => void transfer(c.id)}
                    aria-label={`transfer call ${c.id}`}
                  >
                    transfer
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

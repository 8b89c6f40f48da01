/**
 * The console: sign in with an API key, then the links, the live event stream (with a call's
 * timeline), a call panel and the webhook deliveries, side by side. State that several views share
 * (the client, the links, the events) lives here; each view is its own module.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { BridgeEvent } from '../../shared/events/model.js';
import { describeProblem } from '../../client/index.js';
import { clientFor, must, savedKey, saveKey, type BridgeClient, type Link } from './api.js';
import { CallPanel } from './calls.js';
import { Deliveries } from './deliveries.js';
import { EventsView } from './events.js';
import { LinksView } from './links.js';
import { EventStream, type StreamState } from './stream.js';

/** The newest events kept in the page (older ones stay in the bridge's log: `GET /v1/events`). */
const KEEP = 2000;

export interface Shown {
  event: BridgeEvent;
  channelSeq: number;
}

function SignIn({ onKey, error }: { onKey: (key: string) => void; error: string | null }) {
  const [key, setKey] = useState('');
  return (
    <main class="signin">
      <h1>cti-bridge console</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <label for="key">API key</label>
        <input
          id="key"
          type="password"
          autocomplete="off"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby="key-help"
          required
        />
        <p id="key-help" class="help">
          A tenant key, or the admin key (`npm start` prints it). It stays in this tab only.
        </p>
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Console({
  client,
  apiKey,
  onSignOut,
}: {
  client: BridgeClient;
  apiKey: string;
  onSignOut: () => void;
}) {
  const [links, setLinks] = useState<Link[]>([]);
  const [events, setEvents] = useState<Shown[]>([]);
  const [state, setState] = useState<{ state: StreamState; detail?: string }>({ state: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const stream = useRef<EventStream | null>(null);

  const refreshLinks = useCallback(async () => {
    try {
      setLinks(must('listing links', await client.GET('/v1/links')).items);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [client]);

  useEffect(() => {
    let gone = false;
    const s = new EventStream(
      client,
      {
        onEvent: (event, channelSeq) =>
          setEvents((all) => [...all.slice(-(KEEP - 1)), { event, channelSeq }]),
        onState: (st, detail) => setState(detail ? { state: st, detail } : { state: st }),
      },
      apiKey,
    );
    stream.current = s;
    (async () => {
      const page = must('listing links', await client.GET('/v1/links'));
      if (gone) return;
      setLinks(page.items);
      await s.start(page.items.map((l) => l.id));
    })().catch((err: Error) => setError(err.message));
    const bye = () => s.stop();
    window.addEventListener('pagehide', bye);
    const poll = setInterval(() => void refreshLinks(), 5000);
    return () => {
      gone = true;
      clearInterval(poll);
      window.removeEventListener('pagehide', bye);
      s.stop();
    };
  }, [client, apiKey, refreshLinks]);

  // a link event (up/down) is news for the links view too
  const lastLinkEvent = useMemo(
    () => events.filter((e) => e.event.type.startsWith('link.')).length,
    [events],
  );
  useEffect(() => void (lastLinkEvent && refreshLinks()), [lastLinkEvent, refreshLinks]);

  return (
    <>
      <header class="top">
        <h1>cti-bridge console</h1>
        <p class={`stream ${state.state}`} role="status" aria-live="polite">
          Stream: {state.state}
          {state.detail ? ` (${state.detail})` : ''}
        </p>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <main class="grid">
        <LinksView links={links} />
        <CallPanel client={client} links={links} events={events} />
        <EventsView events={events} links={links} />
        <Deliveries client={client} exclude={stream.current?.channelId} />
      </main>
    </>
  );
}

export function App() {
  const [key, setKey] = useState<string | null>(savedKey());
  const [error, setError] = useState<string | null>(null);
  const client = useMemo(() => (key ? clientFor(key) : null), [key]);

  const signIn = async (k: string) => {
    const c = clientFor(k);
    const answer = await c.GET('/v1/links');
    if (answer.error) {
      const status = answer.response.status;
      setError(
        status === 401 || status === 403
          ? 'That key was refused.'
          : `Signing in failed: ${describeProblem(status, answer.error)}`,
      );
      return;
    }
    saveKey(k);
    setError(null);
    setKey(k);
  };
  const signOut = () => {
    saveKey(null);
    setKey(null);
  };

  if (!key || !client)
    return <SignIn onKey={(k) => void signIn(k).catch((e: Error) => setError(e.message))} error={error} />;
  return <Console client={client} apiKey={key} onSignOut={signOut} />;
}

/** The links of the tenant and their status (refreshed every few seconds and on every link event). */
import type { Link } from './api.js';

export function LinksView({ links }: { links: Link[] }) {
  return (
    <section aria-labelledby="links-h" class="panel links">
      <h2 id="links-h">Links</h2>
      {links.length === 0 ? (
        <p>No links yet.</p>
      ) : (
        <ul>
          {links.map((l) => (
            <li key={l.id}>
              <span class={`badge ${l.status}`}>{l.status}</span> <strong>{l.id}</strong>{' '}
              <span class="muted">{l.vendor}</span>
              {l.lastError && <span class="muted"> ({l.lastError})</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

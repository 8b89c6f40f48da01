/** The cached secret reader: TTL, shared in-flight reads, failures not cached, forget. */
import { describe, expect, it } from 'vitest';
import { cachedSecretReader } from '../../../shared/secrets/reader.js';

function source() {
  const calls: string[] = [];
  const pending: { resolve(v: string): void; reject(e: Error): void }[] = [];
  const fetch = (id: string) => {
    calls.push(id);
    return new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { calls, pending, fetch };
}

describe('cachedSecretReader', () => {
  it('shares one fetch among concurrent reads and serves the value until the TTL ends', async () => {
    let now = 1_000;
    const s = source();
    const reader = cachedSecretReader(s.fetch, { ttlMs: 100, now: () => now });
    const a = reader.read('arn:one');
    const b = reader.read('arn:one');
    expect(s.calls).toEqual(['arn:one']);
    s.pending[0]!.resolve('v1');
    expect(await Promise.all([a, b])).toEqual(['v1', 'v1']);
    now += 99;
    expect(await reader.read('arn:one')).toBe('v1');
    expect(s.calls).toHaveLength(1);
    now += 1;
    const c = reader.read('arn:one');
    expect(s.calls).toHaveLength(2);
    s.pending[1]!.resolve('v2');
    expect(await c).toBe('v2');
  });

  it('does not cache failures', async () => {
    const s = source();
    const reader = cachedSecretReader(s.fetch);
    const a = reader.read('arn:one');
    s.pending[0]!.reject(new Error('throttled'));
    await expect(a).rejects.toThrow('throttled');
    const b = reader.read('arn:one');
    expect(s.calls).toHaveLength(2);
    s.pending[1]!.resolve('v1');
    expect(await b).toBe('v1');
  });

  it('with ttlMs 0 only shares reads in flight; forget drops a value', async () => {
    const s = source();
    const fresh = cachedSecretReader(s.fetch, { ttlMs: 0 });
    const a = fresh.read('x');
    const b = fresh.read('x');
    s.pending[0]!.resolve('v');
    await Promise.all([a, b]);
    const c = fresh.read('x');
    expect(s.calls).toHaveLength(2);
    s.pending[1]!.resolve('v');
    await c;

    const cached = cachedSecretReader(s.fetch);
    const d = cached.read('y');
    s.pending[2]!.resolve('old');
    await d;
    cached.forget('y');
    const e = cached.read('y');
    s.pending[3]!.resolve('new');
    expect(await e).toBe('new');
    expect(s.calls).toEqual(['x', 'x', 'y', 'y']);
  });
});

/**
 * The driver kit's subscription lifecycle against a fake vendor: adds, refresh timing, termination and
 * re-adding, bounded retries with the failure visible, removal, replacement, reset and close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WatchSpec } from '../../../vendors/driver-kit/seam.js';
import {
  Subscriptions,
  type AddOutcome,
  type RefreshOutcome,
  type SpecStatus,
  type SubscriptionAdapter,
  type SubscriptionOptions,
} from '../../../vendors/driver-kit/subscriptions.js';

interface Sub {
  user: string;
  families: string[];
  flags?: number;
}

type Call =
  | { op: 'add'; key: string; id?: string }
  | { op: 'refresh'; id: string }
  | { op: 'delete'; id: string; closing: boolean }
  | { op: 'removed'; key: string; replaced: boolean }
  | { op: 'gaveUp'; key: string; reason: string }
  | { op: 'dropped'; id: string };

/** A vendor whose answers the test scripts; every call is recorded. */
class FakeVendor implements SubscriptionAdapter<Sub, string> {
  calls: Call[] = [];
  up = true;
  nextId = 1;
  expiresSec: number | undefined = 100;
  /** Answers for the next adds (default: accepted). */
  addAnswers: (AddOutcome<string> | 'throw' | 'accept')[] = [];
  /** Answers for the next refreshes (default: accepted with the same lifetime). */
  refreshAnswers: (RefreshOutcome | 'throw')[] = [];
  /** Seen by `bind` callers: the vendor id was known to the manager before add resolved. */
  boundEarly: string[] = [];
  subs!: Subscriptions<Sub, string>;

  ready(): boolean {
    return this.up;
  }

  *expand(spec: WatchSpec): Iterable<readonly [string, Sub]> {
    const flags = spec.families.includes('service') ? 2 : 1;
    if (spec.target.id)
      yield [`user:${spec.target.id}`, { user: spec.target.id, families: [...spec.families], flags }];
  }

  merge(first: Sub, next: Sub): Sub {
    return { ...first, families: [...new Set([...first.families, ...next.families])] };
  }

  compatible(live: Sub, next: Sub): boolean {
    return live.flags === next.flags;
  }

  async add(key: string, _spec: Sub, bind: (id: string) => void): Promise<AddOutcome<string>> {
    const answer = this.addAnswers.shift() ?? 'accept';
    if (answer === 'throw') {
      this.calls.push({ op: 'add', key });
      throw new Error('no answer');
    }
    if (answer !== 'accept') {
      this.calls.push({ op: 'add', key });
      return answer;
    }
    const id = `v${this.nextId++}`;
    this.calls.push({ op: 'add', key, id });
    bind(id);
    if (this.subs.byVendorId(id)?.key === key) this.boundEarly.push(id);
    await Promise.resolve();
    return { ok: true, vendorId: id, ...(this.expiresSec ? { expiresSec: this.expiresSec } : {}) };
  }

  async refresh(id: string): Promise<RefreshOutcome> {
    this.calls.push({ op: 'refresh', id });
    const answer = this.refreshAnswers.shift() ?? { ok: true };
    if (answer === 'throw') throw new Error('no answer');
    return answer;
  }

  async delete(id: string, _spec: Sub, closing: boolean): Promise<void> {
    this.calls.push({ op: 'delete', id, closing });
  }

  dropped(id: string): void {
    this.calls.push({ op: 'dropped', id });
  }

  removed(key: string, _spec: Sub, replaced: boolean): void {
    this.calls.push({ op: 'removed', key, replaced });
  }

  gaveUp(key: string, _spec: Sub, reason: string): void {
    this.calls.push({ op: 'gaveUp', key, reason });
  }

  ops(op: Call['op']): Call[] {
    return this.calls.filter((c) => c.op === op);
  }
}

const alice: WatchSpec = { target: { type: 'user', id: 'alice' }, families: ['call'] };
const bob: WatchSpec = { target: { type: 'user', id: 'bob' }, families: ['call'] };

let vendor: FakeVendor;
let changes: [string, SpecStatus][];

function manager(options: Partial<SubscriptionOptions> = {}): Subscriptions<Sub, string> {
  vendor = new FakeVendor();
  changes = [];
  vendor.subs = new Subscriptions<Sub, string>(vendor, {
    refreshRatio: 0.5,
    minRefreshMs: 10,
    retryDelayMs: 100,
    maxRetries: 3,
    onChange: (spec, status) => changes.push([spec.target.id ?? spec.target.type, status]),
    ...options,
  });
  return vendor.subs;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('adding', () => {
  it('adds one vendor subscription per key, merges specs that share a key, and reports them active', async () => {
    const subs = manager();
    const aliceService: WatchSpec = { target: { type: 'user', id: 'alice' }, families: ['call', 'agent'] };
    await subs.watch([alice, aliceService, bob]);
    // alice twice would be incompatible flags only with 'service'; here both share the key
    expect(vendor.ops('add')).toEqual([
      { op: 'add', key: 'user:alice', id: 'v1' },
      { op: 'add', key: 'user:bob', id: 'v2' },
    ]);
    expect(subs.status('user:alice')).toMatchObject({ state: 'active', vendorId: 'v1', failures: 0 });
    expect(subs.status('user:alice')!.spec.families).toEqual(['call', 'agent']);
    expect(subs.byVendorId('v2')?.key).toBe('user:bob');
    expect(vendor.boundEarly).toEqual(['v1', 'v2']);
    expect(subs.statusOf(alice)).toEqual({
      state: 'active',
      subscriptions: [{ key: 'user:alice', state: 'active' }],
    });
    // each spec is reported when it changes: pending once applied, active once its subscriptions are
    expect(changes.map(([id, s]) => `${id}:${s.state}:${s.subscriptions.length}`)).toEqual([
      'alice:pending:1',
      'alice:pending:1',
      'bob:pending:1',
      'alice:active:1',
      'alice:active:1',
      'bob:active:1',
    ]);
  });

  it('only stores the specs while the vendor is not ready; apply() adds them later', async () => {
    const subs = manager();
    vendor.up = false;
    await subs.watch([alice]);
    expect(vendor.calls).toEqual([]);
    expect(subs.statusOf(alice).state).toBe('pending');
    vendor.up = true;
    await subs.apply();
    expect(subs.statusOf(alice).state).toBe('active');
  });

  it('does not add again what is live', async () => {
    const subs = manager();
    await subs.watch([alice]);
    await subs.watch([alice, bob]);
    expect(vendor.ops('add').map((c) => (c as { key: string }).key)).toEqual(['user:alice', 'user:bob']);
  });
});

describe('refresh', () => {
  it('refreshes at refreshRatio of the lifetime the vendor granted, then at the lifetime of the refresh', async () => {
    const subs = manager();
    vendor.expiresSec = 10; // refresh after 5 s
    await subs.watch([alice]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(vendor.ops('refresh')).toEqual([]);
    vendor.refreshAnswers.push({ ok: true, expiresSec: 20 });
    await vi.advanceTimersByTimeAsync(1);
    expect(vendor.ops('refresh')).toEqual([{ op: 'refresh', id: 'v1' }]);
    await vi.advanceTimersByTimeAsync(9999);
    expect(vendor.ops('refresh')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(vendor.ops('refresh')).toHaveLength(2);
    expect(subs.status('user:alice')).toMatchObject({ state: 'active', vendorId: 'v1' });
  });

  it('never refreshes a subscription without a lifetime', async () => {
    const subs = manager();
    vendor.expiresSec = undefined;
    await subs.watch([alice]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(vendor.ops('refresh')).toEqual([]);
    expect(subs.status('user:alice')?.state).toBe('active');
  });

  it('adds the subscription again when the vendor refuses the refresh', async () => {
    const subs = manager();
    vendor.expiresSec = 10;
    await subs.watch([alice]);
    vendor.refreshAnswers.push({ ok: false, reason: 'gone' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(vendor.calls.slice(1)).toEqual([
      { op: 'refresh', id: 'v1' },
      { op: 'dropped', id: 'v1' },
      { op: 'add', key: 'user:alice', id: 'v2' },
    ]);
    expect(subs.byVendorId('v1')).toBeUndefined();
    expect(subs.status('user:alice')).toMatchObject({ state: 'active', vendorId: 'v2' });
  });

  it('tries again after refreshRetrySec when a refresh got no answer', async () => {
    manager({ refreshRetrySec: 2 });
    vendor.expiresSec = 10;
    await vendor.subs.watch([alice]);
    vendor.refreshAnswers.push('throw');
    await vi.advanceTimersByTimeAsync(5000);
    expect(vendor.ops('refresh')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999); // 2 s × 0.5
    expect(vendor.ops('refresh')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(vendor.ops('refresh')).toHaveLength(2);
    expect(vendor.ops('add')).toHaveLength(1);
  });

  it('refreshes nothing while the vendor is not ready', async () => {
    const subs = manager();
    vendor.expiresSec = 10;
    await subs.watch([alice]);
    vendor.up = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vendor.ops('refresh')).toEqual([]);
  });
});

describe('termination and retries', () => {
  it('re-adds a subscription the vendor terminated, after the retry delay', async () => {
    const subs = manager();
    await subs.watch([alice]);
    const before = subs.terminated('v1', 'Expired');
    expect(before).toMatchObject({ key: 'user:alice', vendorId: 'v1', state: 'active' });
    expect(subs.byVendorId('v1')).toBeUndefined();
    expect(subs.status('user:alice')).toMatchObject({ state: 'pending', reason: 'Expired', failures: 1 });
    expect(subs.statusOf(alice)).toMatchObject({ state: 'pending', reason: 'Expired' });
    await vi.advanceTimersByTimeAsync(99);
    expect(vendor.ops('add')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(vendor.ops('add')).toHaveLength(2);
    expect(subs.status('user:alice')).toMatchObject({ state: 'active', vendorId: 'v2', failures: 0 });
    expect(subs.status('user:alice')?.reason).toBeUndefined();
    expect(subs.terminated('nope')).toBeUndefined();
  });

  it('retries a refused add with growing delays, then reports it failed with the vendor reason', async () => {
    const subs = manager();
    vendor.addAnswers.push(
      { ok: false, reason: '503 busy' },
      'throw',
      { ok: false, reason: '503 busy' },
      { ok: false, reason: '503 still busy' },
    );
    await subs.watch([alice]);
    expect(subs.statusOf(alice)).toMatchObject({ state: 'pending', reason: '503 busy' });
    await vi.advanceTimersByTimeAsync(100); // retry 1 after 1 × 100 ms
    expect(vendor.ops('add')).toHaveLength(2);
    expect(subs.status('user:alice')).toMatchObject({ state: 'pending', reason: 'no answer', failures: 2 });
    await vi.advanceTimersByTimeAsync(199);
    expect(vendor.ops('add')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // retry 2 after 2 × 100 ms
    expect(vendor.ops('add')).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(300); // retry 3 after 3 × 100 ms
    expect(vendor.ops('add')).toHaveLength(4);
    expect(subs.status('user:alice')).toMatchObject({
      state: 'failed',
      reason: '503 still busy',
      failures: 4,
    });
    expect(subs.statusOf(alice)).toEqual({
      state: 'failed',
      reason: '503 still busy',
      subscriptions: [{ key: 'user:alice', state: 'failed', reason: '503 still busy' }],
    });
    expect(vendor.ops('gaveUp')).toEqual([{ op: 'gaveUp', key: 'user:alice', reason: '503 still busy' }]);
    expect(changes.at(-1)).toEqual(['alice', subs.statusOf(alice)]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vendor.ops('add')).toHaveLength(4); // bounded: no more
    // a later apply (e.g. the next watch) tries again
    await subs.apply();
    expect(subs.statusOf(alice).state).toBe('active');
  });

  it('gives up at once on a permanent refusal', async () => {
    const subs = manager();
    vendor.addAnswers.push({ ok: false, reason: 'no such user', permanent: true });
    await subs.watch([alice, bob]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vendor.ops('add')).toHaveLength(2);
    expect(subs.statusOf(alice)).toMatchObject({ state: 'failed', reason: 'no such user' });
    expect(subs.statusOf(bob).state).toBe('active');
  });

  it('counts terminations in a row: after maxRetries failed re-adds the subscription is failed', async () => {
    const subs = manager({ maxRetries: 1 });
    await subs.watch([alice]);
    vendor.addAnswers.push({ ok: false, reason: 'refused' });
    subs.terminated('v1', 'Expired');
    await vi.advanceTimersByTimeAsync(100);
    expect(subs.status('user:alice')).toMatchObject({ state: 'failed', reason: 'refused', failures: 2 });
  });

  it('does not retry while the vendor is not ready', async () => {
    const subs = manager();
    await subs.watch([alice]);
    subs.terminated('v1');
    vendor.up = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vendor.ops('add')).toHaveLength(1);
    expect(subs.status('user:alice')?.state).toBe('pending');
  });
});

describe('removal, replacement, reset and close', () => {
  it('deletes what is no longer watched and remembers the id as deleted', async () => {
    const subs = manager();
    vendor.expiresSec = 10;
    await subs.watch([alice, bob]);
    await subs.watch([bob]);
    expect(vendor.calls.slice(2)).toEqual([
      { op: 'dropped', id: 'v1' },
      { op: 'delete', id: 'v1', closing: false },
      { op: 'removed', key: 'user:alice', replaced: false },
    ]);
    expect(subs.status('user:alice')).toBeUndefined();
    expect(subs.byVendorId('v1')).toBeUndefined();
    expect(subs.wasDeleted('v1')).toBe(true);
    expect(subs.wasDeleted('v2')).toBe(false);
    expect(subs.terminated('v1')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5000);
    expect(vendor.ops('refresh')).toEqual([{ op: 'refresh', id: 'v2' }]); // the removed one's timer is gone
  });

  it('replaces a live subscription that cannot serve the new spec', async () => {
    const subs = manager();
    await subs.watch([alice]);
    await subs.watch([{ target: { type: 'user', id: 'alice' }, families: ['service'] }]);
    expect(vendor.calls.slice(1)).toEqual([
      { op: 'dropped', id: 'v1' },
      { op: 'delete', id: 'v1', closing: false },
      { op: 'removed', key: 'user:alice', replaced: true },
      { op: 'add', key: 'user:alice', id: 'v2' },
    ]);
  });

  it('reset makes everything pending without requests; apply adds it again', async () => {
    const subs = manager();
    vendor.expiresSec = 10;
    await subs.watch([alice]);
    subs.reset();
    expect(vendor.calls.slice(1)).toEqual([{ op: 'dropped', id: 'v1' }]);
    expect(subs.statusOf(alice).state).toBe('pending');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vendor.ops('refresh')).toEqual([]);
    await subs.apply();
    expect(subs.status('user:alice')).toMatchObject({ state: 'active', vendorId: 'v2' });
  });

  it('ignores the answer to an add that a reset overtook', async () => {
    const subs = manager();
    let answer!: (o: AddOutcome<string>) => void;
    vendor.add = (key) => {
      vendor.calls.push({ op: 'add', key });
      return new Promise((resolve) => (answer = resolve));
    };
    vendor.up = false;
    await subs.watch([alice]);
    vendor.up = true;
    const applied = subs.apply();
    subs.reset();
    answer({ ok: true, vendorId: 'late' });
    await applied;
    expect(subs.byVendorId('late')).toBeUndefined();
    expect(subs.status('user:alice')?.state).toBe('pending');
  });

  it('close deletes every live subscription as closing, then nothing is live', async () => {
    const subs = manager();
    await subs.watch([alice, bob]);
    await subs.close();
    expect(vendor.ops('delete')).toEqual([
      { op: 'delete', id: 'v1', closing: true },
      { op: 'delete', id: 'v2', closing: true },
    ]);
    expect(subs.wasDeleted('v1')).toBe(true);
    expect(subs.list().map((s) => s.state)).toEqual(['pending', 'pending']);
  });
});

import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  classifyAddress,
  parseCidr,
  refusalReason,
  resolveChecked,
} from '../../../connector/delivery/ssrf.js';
import {
  nextDelayMs,
  parseRetryAfter,
  DEFAULT_RETRY_SCHEDULE_MS,
} from '../../../connector/delivery/schedule.js';
import { eventJson } from '../../../connector/delivery/common.js';
import { eventFrameJson } from '../../../connector/delivery/frames.js';
import { webhookHeaders } from '../../../shared/webhooks/signing.js';
import { matchChannels, matches, orderKeyOf } from '../../../shared/events/matching.js';
import type { BridgeEvent } from '../../../shared/events/model.js';
import type { SubscriptionRecord } from '../../../shared/repos/subscriptions.js';

describe('address classifier', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2606:4700:4700::1111', 'public'],
    ['2001:db8::1', 'documentation'],
    // IPv4-mapped / embedded forms reach the embedded address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['not-an-ip', 'invalid'],
  ];
  for (const [addr, cls] of cases) it(`${addr} is ${cls}`, () => expect(classifyAddress(addr)).toBe(cls));

  it('refuses every non-public class unless allowed, and honours the allow-list (also for mapped forms)', () => {
    expect(refusalReason('8.8.8.8', {})).toBeNull();
    expect(refusalReason('127.0.0.1', {})).toMatch(/loopback/);
    expect(refusalReason('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(refusalReason('::1', { allowLoopback: true })).toBeNull();
    expect(refusalReason('10.0.0.1', { allowLoopback: true })).toMatch(/private/);
    const allow = [parseCidr('10.20.0.0/16'), parseCidr('fd00::/8')];
    expect(refusalReason('10.20.3.4', { allow })).toBeNull();
    expect(refusalReason('::ffff:10.20.3.4', { allow })).toBeNull();
    expect(refusalReason('10.21.0.1', { allow })).toMatch(/private/);
    expect(refusalReason('fd00::5', { allow })).toBeNull();
    expect(refusalReason('169.254.169.254', { allow })).toMatch(/link-local/);
    expect(() => parseCidr('10.0.0.0/33')).toThrow();
  });

  it('resolves at delivery time and refuses a name with any refused address', async () => {
    const resolver = async (h: string) =>
      h === 'mixed.example'
        ? [
            { address: '8.8.8.8', family: 4 },
            { address: '10.0.0.1', family: 4 },
          ]
        : [{ address: '93.184.216.34', family: 4 }];
    await expect(resolveChecked('ok.example', {}, resolver)).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(resolveChecked('mixed.example', {}, resolver)).rejects.toThrow(/10\.0\.0\.1 is a private/);
    await expect(resolveChecked('[::ffff:127.0.0.1]', {}, resolver)).rejects.toThrow(/loopback/);
    await expect(resolveChecked('localhost', {})).rejects.toThrow(/loopback/);
  });
});

describe('retry schedule', () => {
  it('follows the schedule with ±jitter, honours Retry-After and ends', () => {
    const p = { scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, jitter: 0.2, maxRetryAfterMs: 36_000_000 };
    expect(nextDelayMs({ ...p, random: () => 0.5 }, 1)).toBe(5000);
    expect(nextDelayMs({ ...p, random: () => 0 }, 1)).toBe(4000);
    expect(nextDelayMs({ ...p, random: () => 1 }, 2)).toBe(360_000);
    expect(nextDelayMs({ ...p, random: () => 0.5 }, 1, 60_000)).toBe(60_000);
    expect(nextDelayMs({ ...p, random: () => 0.5 }, 1, 100)).toBe(5000);
    expect(nextDelayMs(p, 8)).toBeNull();
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

describe('signing', () => {
  it('produces signatures the standardwebhooks package verifies, with both secrets during rotation', () => {
    const oldS = 'whsec_' + Buffer.alloc(24, 1).toString('base64');
    const newS = 'whsec_' + Buffer.alloc(24, 2).toString('base64');
    const body = JSON.stringify({ hello: 'wörld' });
    const ts = Math.floor(Date.now() / 1000);
    const h = webhookHeaders([newS, oldS], 'evt_1', ts, body);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(newS).verify(body, h)).toEqual({ hello: 'wörld' });
    expect(new Webhook(oldS).verify(body, h)).toEqual({ hello: 'wörld' });
    const other = 'whsec_' + Buffer.alloc(24, 3).toString('base64');
    expect(() => new Webhook(other).verify(body, h)).toThrow();
  });
});

describe('matching', () => {
  const sub = (
    target: SubscriptionRecord['target'],
    events: SubscriptionRecord['events'],
    extra: Partial<SubscriptionRecord> = {},
  ): SubscriptionRecord => ({
    id: 's',
    tenant: 't1',
    channel: 'ch1',
    link: 'l1',
    target,
    events,
    ttlSeconds: 60,
    expiresAt: '',
    createdAt: '',
    state: 'active',
    stateReason: null,
    ...extra,
  });
  const ev = (type: BridgeEvent['type'], target: BridgeEvent['target'], extra: Partial<BridgeEvent> = {}) =>
    ({
      specversion: '1',
      id: 'e',
      type,
      time: '',
      tenant: 't1',
      link: 'l1',
      target,
      seq: 1,
      data: {},
      vendor: { name: 'avaya-ipo-cti', event: 'x' }, // one event per occurrence
      ...extra,
    }) as BridgeEvent;

  it('matches by target type and id, family, link and tenant', () => {
    const alice = sub({ type: 'user', id: 'alice' }, ['call']);
    expect(matches(alice, ev('call.received', { type: 'user', id: 'alice' }))).toBe(true);
    expect(matches(alice, ev('call.received', { type: 'user', id: 'bob' }))).toBe(false);
    expect(matches(alice, ev('service.dnd', { type: 'user', id: 'alice' }))).toBe(false);
    expect(matches(alice, ev('call.received', { type: 'user', id: 'alice' }, { tenant: 't2' }))).toBe(false);
    expect(matches(alice, ev('call.received', { type: 'user', id: 'alice' }, { link: 'l2' }))).toBe(false);
    expect(
      matches(
        sub({ type: 'queue', id: 'q1' }, ['queue']),
        ev('queue.call.added', { type: 'queue', id: 'q1' }),
      ),
    ).toBe(true);
    expect(
      matches(
        sub({ type: 'queue', id: 'q1' }, ['queue']),
        ev('queue.call.added', { type: 'user', id: 'q1' }),
      ),
    ).toBe(false);
    expect(
      matches(sub({ type: 'system' }, ['link']), ev('subscription.terminated', { type: 'system' })),
    ).toBe(true);
    expect(matches(sub({ type: 'system' }, ['call']), ev('call.received', { type: 'user', id: 'x' }))).toBe(
      true,
    );
    expect(matches(sub({ type: 'group' }, ['call']), ev('call.received', { type: 'user', id: 'x' }))).toBe(
      true,
    );
    expect(
      matches(sub({ type: 'group' }, ['queue']), ev('queue.call.added', { type: 'queue', id: 'q' })),
    ).toBe(false);
  });

  it('matches per-subscription copies (BroadWorks CTI) only to the subscription target they carry', () => {
    const copy = (target: BridgeEvent['target']) =>
      ev('call.received', target, { vendor: { name: 'broadworks-cti', event: 'CallReceivedEvent' } });
    const system = sub({ type: 'system' }, ['call']);
    const group = sub({ type: 'group', id: 'g1' }, ['call']);
    const alice = sub({ type: 'user', id: 'alice' }, ['call']);
    // the user's copy: for the user's subscription only
    expect(matches(alice, copy({ type: 'user', id: 'alice' }))).toBe(true);
    expect(matches(system, copy({ type: 'user', id: 'alice' }))).toBe(false);
    expect(matches(group, copy({ type: 'user', id: 'alice' }))).toBe(false);
    // the system copy: for system subscriptions only
    expect(matches(system, copy({ type: 'system' }))).toBe(true);
    expect(matches(group, copy({ type: 'system' }))).toBe(false);
    expect(matches(alice, copy({ type: 'system' }))).toBe(false);
    // a group's copy: for that group (or any group subscription without an id)
    expect(matches(group, copy({ type: 'group', id: 'g1' }))).toBe(true);
    expect(matches(group, copy({ type: 'group', id: 'g2' }))).toBe(false);
    expect(matches(sub({ type: 'group' }, ['call']), copy({ type: 'group', id: 'g2' }))).toBe(true);
    expect(matches(system, copy({ type: 'group', id: 'g1' }))).toBe(false);
  });

  it('gives one channel per event however many subscriptions match', () => {
    const e = ev('call.received', { type: 'user', id: 'alice' });
    const subs = [
      sub({ type: 'user', id: 'alice' }, ['call']),
      sub({ type: 'system' }, ['call']),
      sub({ type: 'system' }, ['call'], { channel: 'ch2' }),
    ];
    expect(matchChannels(subs, e).sort()).toEqual(['ch1', 'ch2']);
  });

  it('orders by call correlation id, else by target', () => {
    expect(
      orderKeyOf(
        ev('call.received', { type: 'user', id: 'a' }, { data: { call: { correlationId: 'x1' } } as never }),
      ),
    ).toBe('l1#call#x1');
    expect(orderKeyOf(ev('service.dnd', { type: 'user', id: 'a' }))).toBe('l1#user#a');
  });
});

describe('event serialisation', () => {
  it('serialises an event once, and builds event frames exactly as JSON.stringify would', () => {
    const event = {
      specversion: '1',
      id: 'evt_1',
      type: 'call.received',
      time: '2026-12-07T10:00:00.000Z',
      tenant: 't1',
      link: 'pbx',
      target: { type: 'user', id: 'alice' },
      seq: 7,
      data: { call: { id: 'c1', note: 'quote " backslash \\ tab \t unicode é \u2028' } },
      vendor: { name: 'broadworks-cti', event: 'CallReceivedEvent' },
    } as unknown as BridgeEvent;
    expect(eventJson(event)).toBe(JSON.stringify(event));
    expect(eventJson(event)).toBe(eventJson(event));
    for (const seq of [1, 42, 9_007_199_254_740_991])
      expect(eventFrameJson(seq, event)).toBe(JSON.stringify({ type: 'event', channelSeq: seq, event }));
    expect(JSON.parse(eventFrameJson(3, event))).toEqual({ type: 'event', channelSeq: 3, event });
  });
});

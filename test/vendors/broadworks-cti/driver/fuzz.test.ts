/**
 * Fuzz tests: random, mutated and truncated frames never make the parser or the driver throw; garbage is
 * reported through onGarbage and valid events around it still arrive, whatever the chunking.
 */
import { standaloneContext } from '../../../../vendors/driver-kit/context.js';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInbound } from '../../../../vendors/broadworks-cti/driver/messages.js';
import { CallMapper } from '../../../../vendors/broadworks-cti/driver/mapper.js';
import { createBroadWorksCtiDriver } from '../../../../vendors/broadworks-cti/driver/index.js';
import { EVENT_FAMILIES, parseEventData } from '../../../../shared/events/model.js';
import type { Driver } from '../../../../vendors/driver-kit/seam.js';
import { FakeXsp, Recorder, callXml, eventXml, linkConfig } from './helpers.js';
import { prng } from '../../../support/prng.js';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const seeds = [
  ...readdirSync(dir).map((f) => readFileSync(dir + f, 'utf8')),
  eventXml({
    requestId: '0:1',
    eventId: 'e1',
    seq: 1,
    targetId: 'alice@sim.example',
    type: 'CallReceivedEvent',
    body: callXml({
      callId: 'c1',
      ext: '1:1',
      personality: 'Terminator',
      state: 'Alerting',
      remoteName: 'Zoë Ünïcode 電話',
    }),
  }),
];
const ALPHABET = [
  '<',
  '>',
  '/',
  '"',
  "'",
  '=',
  '&',
  ';',
  ':',
  '?',
  '!',
  '-',
  '[',
  ']',
  ' ',
  '\n',
  'x',
  '\u0000',
  '\uFFFD',
  'é',
  '電',
];

function mutate(src: string, rnd: () => number): string {
  let s = src;
  const ops = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    switch (Math.floor(rnd() * 6)) {
      case 0:
        s = s.slice(0, at); // truncate
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 20)); // delete a run
        break;
      case 2:
        s = s.slice(0, at) + ALPHABET[Math.floor(rnd() * ALPHABET.length)]! + s.slice(at); // insert
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at, at + 40).toUpperCase() + s.slice(at + 40);
        break;
      case 4: {
        const from = Math.floor(rnd() * s.length);
        s = s.slice(0, at) + s.slice(from, from + 30) + s.slice(at); // duplicate a run elsewhere
        break;
      }
      default:
        s = Array.from({ length: 1 + Math.floor(rnd() * 64) }, () =>
          String.fromCharCode(Math.floor(rnd() * 0x250)),
        ).join('');
    }
  }
  return s;
}

describe('parser fuzz', () => {
  it('never throws on 5000 mutated, truncated and random frames; whatever parses maps to valid drafts', () => {
    const rnd = prng(0xb0ad);
    const mapper = new CallMapper();
    const kinds = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const seed = seeds[Math.floor(rnd() * seeds.length)]!;
      const frame = mutate(seed, rnd);
      const m = parseInbound(frame);
      kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
      if (m.kind === 'event') {
        const drafts = mapper.map(m.event, {
          target: { type: 'user', id: 'u' },
          families: new Set(EVENT_FAMILIES),
        });
        for (const d of drafts) parseEventData(d.type, d.data);
      }
    }
    // both outcomes happen: the corpus is neither all-valid nor all-garbage
    expect(kinds.get('garbage') ?? 0).toBeGreaterThan(100);
    expect((kinds.get('event') ?? 0) + (kinds.get('response') ?? 0)).toBeGreaterThan(100);
  });
});

describe('socket fuzz', () => {
  let server: FakeXsp;
  let driver: Driver | undefined;
  beforeEach(async () => {
    server = await FakeXsp.start();
  });
  afterEach(async () => {
    await driver?.close();
    await server.stop();
  });

  it.each([1, 2, 3])('valid events survive garbage frames and random byte splits (seed %i)', async (seed) => {
    const rnd = prng(seed);
    const rec = new Recorder();
    driver = createBroadWorksCtiDriver(standaloneContext(linkConfig(server.endpoint), rec.hooks, rec.logger));
    await driver.connect();
    await driver.watch([{ target: { type: 'user', id: 'alice@sim.example' }, families: ['call'] }]);

    const parts: string[] = [];
    const expected: string[] = [];
    let garbageFrames = 0;
    for (let i = 1; i <= 40; i++) {
      const id = `ev-${seed}-${i}`;
      expected.push(id);
      parts.push(
        eventXml({
          requestId: `0:${i}`,
          eventId: id,
          seq: i,
          subscriptionId: 'sub-1',
          targetId: 'alice@sim.example',
          type: 'CallUpdatedEvent',
          body: callXml({
            callId: `c${i}`,
            ext: `${i}:1`,
            personality: 'Originator',
            state: 'Active',
            remoteName: 'Ünïcode 電話',
          }),
        }),
      );
      if (rnd() < 0.5) {
        garbageFrames++;
        // self-delimiting garbage: non-XML bytes, or a balanced document that is not a valid message
        parts.push(
          rnd() < 0.5
            ? `${Array.from({ length: 5 + Math.floor(rnd() * 30) }, () => String.fromCharCode(0x21 + Math.floor(rnd() * 27))).join('')}\n`
            : `<xsp:event><requestId>g${i}</requestId><bogus attr="1">${'&#x' + Math.floor(rnd() * 0xffff).toString(16)};</bogus></xsp:event>\n`,
        );
      }
    }
    const bytes = Buffer.from(parts.join(''), 'utf8');
    // random splits, including inside multi-byte characters
    let at = 0;
    while (at < bytes.length) {
      const len = 1 + Math.floor(rnd() * 300);
      server.send(bytes.subarray(at, at + len));
      at += len;
    }
    await rec.waitFor(() => rec.events.length >= expected.length, 'all valid events', 10_000);
    expect(rec.events.map((e) => e.vendor.id)).toEqual(expected);
    for (const e of rec.events)
      expect((e.data as { call: { remote: { name?: string } } }).call.remote.name).toBe('Ünïcode 電話');
    // garbage after the last valid event may still be in flight when that event arrives
    await rec.waitFor(() => rec.garbage.length >= garbageFrames, 'garbage reported');
    expect(rec.garbage.length).toBeGreaterThanOrEqual(garbageFrames);
    expect(rec.downs).toEqual([]);
    await server.waitFor(
      () => server.acks().filter((a) => a.status === '200').length >= expected.length,
      'acks',
    );
    expect(
      server
        .acks()
        .filter((a) => a.status === '200')
        .map((a) => a.eventId),
    ).toEqual(expected);
  });
});

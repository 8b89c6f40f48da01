/**
 * WebSocket sequencer leases: one process at a time numbers a channel's deliveries. Two delivery services
 * feeding the same channel from two links (links of one tenant owned by two connector tasks) take turns,
 * and the client still sees one gap-free `channelSeq` sequence with each link's events in order.
 */
import {
  ApiGatewayManagementApiClient,
  type PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LocalStack } from '../../../local/stack.js';
import { newTenantWithLink, testStack } from '../../support/stack.js';
import { callDraft, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

describe('WebSocket sequencer lease', () => {
  it('two processes delivering to one channel take turns: one gap-free channelSeq, per-link order kept', async () => {
    const t = await newTenantWithLink(stack);
    expect(
      (
        await t.client.post('/v1/links', {
          id: 'pbx2',
          vendor: 'broadworks-cti',
          endpoint: 'tcp://127.0.0.1:9',
          credentials: { username: 'u', password: 'p' },
        })
      ).status,
    ).toBe(201);
    const ch = (await t.client.post('/v1/channels', { type: 'websocket' })).body;
    for (const link of ['pbx', 'pbx2'])
      expect(
        (
          await t.client.post('/v1/subscriptions', {
            channel: ch.id,
            link,
            target: { type: 'system' },
            events: ['call'],
          })
        ).status,
      ).toBe(201);
    const ws = new WebSocket(ch.url);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise<void>(
      (resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)),
    );
    await until(
      () => t.client.get(`/v1/channels/${ch.id}`),
      (r) => typeof r.body.connectionId === 'string',
    );
    ws.send(JSON.stringify({ action: 'resume', after: 0 }));

    const a = wire(stack);
    const b = wire(stack);
    try {
      const sent: { link: string; id: string }[] = [];
      // Both links busy at once: each process keeps wanting the channel while the other holds it.
      await Promise.all(
        (['pbx', 'pbx2'] as const).map(async (link, n) => {
          const writer = (n === 0 ? a : b).writer;
          for (let i = 0; i < 12; i++) {
            const e = (await writer.write(t.id, link, callDraft(`u${n}`, `${link}-c${i}`)))!;
            sent.push({ link, id: e.id });
            await new Promise((r) => setTimeout(r, 100));
          }
        }),
      );
      const events = () => frames.filter((f) => f.type === 'event');
      // What a client processes: it drops a channelSeq it already has (a holder that stalls past its lease
      // under load is taken over, and its last frames are posted again: docs/delivery.md).
      const processed = () => {
        let last = 0;
        return events().filter((f) => (f.channelSeq > last ? ((last = f.channelSeq), true) : false));
      };
      await until(
        async () => processed().length,
        (n) => n >= sent.length,
        20_000,
      ).catch((err: Error) => {
        throw new Error(
          `${err.message}; frames received: ${JSON.stringify(events().map((f) => f.channelSeq))}`,
        );
      });
      const raw = events().map((f) => f.channelSeq as number);
      expect(raw).toEqual([...raw].sort((x, y) => x - y)); // in order; a repeat only of the last seqs
      const got = processed();
      expect(got.map((f) => f.channelSeq)).toEqual(got.map((_, i) => i + 1)); // no gap
      expect(new Set(got.map((f) => f.event.id)).size).toBe(sent.length);
      for (const link of ['pbx', 'pbx2'])
        expect(got.filter((f) => f.event.link === link).map((f) => f.event.id)).toEqual(
          sent.filter((s) => s.link === link).map((s) => s.id),
        );
      // The stored log agrees with what was sent live.
      const items = (await t.client.get(`/v1/channels/${ch.id}/deliveries?limit=100`)).body.items;
      expect(items.map((d: any) => [d.seq, d.eventId])).toEqual(got.map((f) => [f.channelSeq, f.event.id]));
    } finally {
      ws.close();
      await a.delivery.stop();
      await b.delivery.stop();
    }
  });

  it('a frame numbered by a process that crashed before posting it is posted by the next holder', async () => {
    const t = await newTenantWithLink(stack);
    const ch = (await t.client.post('/v1/channels', { type: 'websocket' })).body;
    await t.client.post('/v1/subscriptions', {
      channel: ch.id,
      link: 'pbx',
      target: { type: 'system' },
      events: ['call'],
    });
    const ws = new WebSocket(ch.url);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise<void>((r, j) => (ws.once('open', () => r()), ws.once('error', j)));
    await until(
      () => t.client.get(`/v1/channels/${ch.id}`),
      (r) => typeof r.body.connectionId === 'string',
    );
    ws.send(JSON.stringify({ action: 'resume', after: 0 }));
    // The first process's PostToConnection of channelSeq 2 never completes: it dies with that frame
    // numbered and stored but not posted.
    const mgmt = new ApiGatewayManagementApiClient({
      endpoint: stack.managementEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const send = mgmt.send.bind(mgmt) as (c: PostToConnectionCommand) => Promise<unknown>;
    mgmt.send = ((c: PostToConnectionCommand) =>
      JSON.parse(Buffer.from(c.input.Data as Uint8Array).toString()).channelSeq >= 2
        ? new Promise(() => undefined)
        : send(c)) as typeof mgmt.send;
    const first = wire(stack, { managementClient: mgmt });
    const second = wire(stack);
    try {
      const e1 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'k1')))!;
      await until(
        async () => frames.filter((f) => f.type === 'event').length,
        (n) => n === 1,
      );
      // The holder has recorded that seq 1 reached the connection (its lease renewal).
      await until(
        () => stack.deps.repos.deliveries.getState(t.id, ch.id),
        (s) => s.sent === 1,
      );
      const e2 = (await first.writer.write(t.id, 'pbx', callDraft('alice', 'k1', 'call.answered')))!;
      await until(
        () => t.client.get(`/v1/channels/${ch.id}/deliveries`),
        (r) => r.body.items.length === 2,
      );
      first.delivery.kill();
      // The next event of the channel reaches another process, which takes the sequencer over once the
      // dead holder's lease lapses.
      const e3 = (await second.writer.write(t.id, 'pbx', callDraft('alice', 'k1', 'call.released')))!;
      await until(
        async () => frames.filter((f) => f.type === 'event').length,
        (n) => n === 3,
      );
      expect(frames.filter((f) => f.type === 'event').map((f) => [f.channelSeq, f.event.id])).toEqual([
        [1, e1.id],
        [2, e2.id],
        [3, e3.id],
      ]);
    } finally {
      ws.close();
      await second.delivery.stop();
      mgmt.destroy();
    }
  });
});

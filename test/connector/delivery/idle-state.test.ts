/**
 * A delivery process runs for weeks: what it keeps of a webhook channel, or of a link it does not own,
 * is forgotten once idle for `forgetIdleMs` (docs/delivery.md, "Webhook channels"), and what it forgot
 * is found again when the channel or link is busy again. Through real sockets and DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../../local/stack.js';
import { newTenantWithLink, testStack } from '../../support/stack.js';
import { callDraft, receiver, until, wire } from './helpers.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await testStack();
});
afterAll(async () => stack?.stop());

async function hookChannel(url: string) {
  const t = await newTenantWithLink(stack);
  const ch = (await t.client.post('/v1/channels', { type: 'webhook', url })).body;
  const sub = await t.client.post('/v1/subscriptions', {
    channel: ch.id,
    link: 'pbx',
    target: { type: 'system' },
    events: ['call'],
  });
  expect(sub.status).toBe(201);
  return { t, ch };
}

describe('state of idle channels and links', () => {
  it('an idle webhook channel is forgotten once its list of successes is written; its next event goes on from the stored list', async () => {
    const rx = await receiver();
    const { t, ch } = await hookChannel(rx.url);
    const { writer, delivery } = wire(stack, { forgetIdleMs: 300 });
    const listed = async () =>
      (await t.client.get(`/v1/channels/${ch.id}/deliveries?limit=100`)).body.items.map(
        (d: { eventId: string }) => d.eventId,
      );
    try {
      const e1 = (await writer.write(t.id, 'pbx', callDraft('alice', 'idle1')))!;
      await rx.waitFor(1);
      await until(
        async () => delivery.latestSuccesses(t.id, ch.id).map((d) => d.eventId),
        (ids) => ids.length === 1 && ids[0] === e1.id,
      );
      // written, then idle: nothing of the channel is left in the process
      await until(listed, (ids) => ids.includes(e1.id));
      await until(
        async () => delivery.latestSuccesses(t.id, ch.id).length,
        (n) => n === 0,
      );
      // busy again: delivered, with a fresh seq block, and the list continues the stored one
      const e2 = (await writer.write(t.id, 'pbx', callDraft('alice', 'idle2')))!;
      await rx.waitFor(2);
      expect(rx.got[1]!.headers['webhook-id']).toBe(e2.id);
      await until(
        async () => delivery.latestSuccesses(t.id, ch.id).map((d) => d.eventId),
        (ids) => ids.length === 2 && ids[0] === e1.id && ids[1] === e2.id,
      );
      await until(listed, (ids) => ids.includes(e2.id));
      expect((await listed()).sort()).toEqual([e1.id, e2.id].sort());
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('a busy webhook channel is kept', async () => {
    const rx = await receiver();
    const { t, ch } = await hookChannel(rx.url);
    const { writer, delivery } = wire(stack, { forgetIdleMs: 1_000 });
    try {
      for (let i = 1; i <= 8; i++) {
        await writer.write(t.id, 'pbx', callDraft('alice', `busy${i}`));
        await rx.waitFor(i);
        await until(
          async () => delivery.latestSuccesses(t.id, ch.id).length,
          (n) => n === i,
        );
        // a sweep runs at every recovery scan (100 ms here); an event every 250 ms keeps the channel
        await new Promise((r) => setTimeout(r, 250));
        expect(delivery.latestSuccesses(t.id, ch.id)).toHaveLength(i);
      }
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it('a link this process no longer owns is forgotten once idle, and loaded again when it is back', async () => {
    const rx = await receiver();
    const { t } = await hookChannel(rx.url);
    let ownsPbx = true;
    const { writer, delivery } = wire(stack, {
      forgetIdleMs: 300,
      owns: (tenant) => tenant !== t.id || ownsPbx,
    });
    // another tenant's link, always owned: its events run the hand-off (and its sweep)
    const other = await hookChannel(rx.url);
    try {
      const e1 = (await writer.write(t.id, 'pbx', callDraft('alice', 'own1')))!;
      await rx.waitFor(1);
      await until(
        async () => delivery.matchedUpTo(t.id, 'pbx'),
        (m) => m === e1.seq,
      );
      // the link moves to another process; this one gets none of its events any more
      ownsPbx = false;
      let n = 1;
      await until(
        async () => {
          await writer.write(other.t.id, 'pbx', callDraft('bob', `tick${n}`));
          await rx.waitFor(++n);
          return delivery.matchedUpTo(t.id, 'pbx');
        },
        (m) => m === null,
      );
      // back: its next event is matched after loading the link's watermark again, and delivered once
      ownsPbx = true;
      const e2 = (await writer.write(t.id, 'pbx', callDraft('alice', 'own2')))!;
      await until(
        async () => delivery.matchedUpTo(t.id, 'pbx'),
        (m) => m === e2.seq,
      );
      await rx.waitFor(n + 1);
      expect(rx.got.filter((r) => r.json.id === e2.id)).toHaveLength(1);
      expect(rx.got.filter((r) => r.json.id === e1.id)).toHaveLength(1);
    } finally {
      await delivery.stop();
      await rx.close();
    }
  });

  it("a deleted link's missed events stop their repair: nobody will move its watermark", async () => {
    const rx = await receiver();
    const { t } = await hookChannel(rx.url);
    let ownsPbx = true;
    const { writer, delivery } = wire(stack, { owns: (tenant) => tenant !== t.id || ownsPbx });
    const repo = stack.deps.repos.deliveries;
    const reads = vi.spyOn(repo, 'getWatermark');
    const readsOfPbx = () => reads.mock.calls.filter(([tenant]) => tenant === t.id).length;
    try {
      const e1 = (await writer.write(t.id, 'pbx', callDraft('alice', 'gone1')))!;
      await rx.waitFor(1);
      await until(
        () => repo.getWatermark(t.id, 'pbx'),
        (w) => w === e1.seq,
      );
      // the link moves away while an event of it is on its way here: a repair looks every recoverMs
      // whether the new owner's watermark covers it
      ownsPbx = false;
      await writer.write(t.id, 'pbx', callDraft('alice', 'gone2'));
      const before = readsOfPbx();
      await until(
        async () => readsOfPbx(),
        (n) => n >= before + 2,
      );
      // the link is deleted: its watermark never moves again, and the repair ends once it reads that the
      // link is gone (the API's own read of it, before the deletion, finds it)
      const links = stack.deps.repos.links;
      const read = links.get.bind(links);
      let sawGone = false;
      const gets = vi.spyOn(links, 'get').mockImplementation(async (tenant, id) => {
        const rec = await read(tenant, id);
        if (tenant === t.id && !rec) sawGone = true;
        return rec;
      });
      expect((await t.client.del('/v1/links/pbx')).status).toBe(204);
      await until(
        async () => sawGone,
        (gone) => gone,
      );
      gets.mockRestore();
      await new Promise((r) => setTimeout(r, 100)); // the repair that read it finishes its turn
      const after = readsOfPbx();
      await new Promise((r) => setTimeout(r, 1_000)); // ten repair intervals: absence cannot be awaited
      expect(readsOfPbx()).toBe(after);
    } finally {
      reads.mockRestore();
      await delivery.stop();
      await rx.close();
    }
  });
});

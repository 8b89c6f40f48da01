/**
 * The simulator's CSTA identities (digest §3): the callID of each core leg (the makeCall or
 * consultationCall correlatorData for the leg a request creates, a UUID otherwise), the stable
 * `monitorCrossRefID` per monitored device, the monitor-ID form `<n>-<ipo>-<ext>`, and conference ids
 * and participant ids (22-character base64 strings, as in the vendor's samples).
 */
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * @example
 * ids.expect('alice@sim.example', corr); core.dial('alice@sim.example', '1002');
 * ids.callId(leg.id, leg.userId, true); // corr
 */
export class IpoIds {
  private readonly callIdByLeg = new Map<string, string>();
  private readonly legByCallId = new Map<string, string>();
  /** Correlators waiting for the next leg a user originates. */
  private readonly pending = new Map<string, string>();
  private readonly monitors = new Map<string, string>();
  private readonly monitorIds = new Map<string, string>();
  private readonly correlatorIds = new Set<string>();
  private readonly endedLegs: string[] = [];

  constructor(private readonly switchIp: string) {}

  /** The next leg `userId` originates takes this callID (a request's decoded correlatorData). */
  expect(userId: string, correlator: string): void {
    this.pending.set(userId, correlator);
  }

  cancel(userId: string): void {
    this.pending.delete(userId);
  }

  /** Whether a callID is in use (correlatorData must be unique per request). */
  inUse(callId: string): boolean {
    return this.legByCallId.has(callId) || [...this.pending.values()].includes(callId);
  }

  /** The callID of a leg, assigned on first sight (a pending correlator of its owner, or a UUID). */
  callId(legId: string, ownerUserId?: string, originating = false): string {
    const known = this.callIdByLeg.get(legId);
    if (known) return known;
    let id: string | undefined;
    if (originating && ownerUserId) {
      id = this.pending.get(ownerUserId);
      this.pending.delete(ownerUserId);
      if (id) this.correlatorIds.add(id);
    }
    id ??= randomUUID();
    this.callIdByLeg.set(legId, id);
    this.legByCallId.set(id, legId);
    return id;
  }

  /** Whether a callID is a request's correlatorData. */
  fromCorrelator(callId: string): boolean {
    return this.correlatorIds.has(callId);
  }

  /** The core leg a callID names. */
  legOf(callId: string): string | undefined {
    return this.legByCallId.get(callId.replace(/\s+/g, ''));
  }

  /**
   * An ended leg: its callID stays known for a while (late requests get a state error, not "unknown"),
   * and is forgotten once `keepEnded` newer legs have ended.
   */
  ended(legId: string, keepEnded = 1000): void {
    this.endedLegs.push(legId);
    while (this.endedLegs.length > keepEnded) {
      const old = this.endedLegs.shift()!;
      const id = this.callIdByLeg.get(old);
      if (id) {
        this.legByCallId.delete(id);
        this.correlatorIds.delete(id);
      }
      this.callIdByLeg.delete(old);
    }
  }

  /** A stable `monitorCrossRefID` (UUID) per monitored device. */
  monitor(ext: string): string {
    let m = this.monitors.get(ext);
    if (!m) {
      m = randomUUID();
      this.monitors.set(ext, m);
    }
    return m;
  }

  /** The monitor-ID form `<n>-<ipo>-<ext>` (userMonitorID, monitorID, snapshot and HA events). */
  monitorId(ext: string): string {
    let m = this.monitorIds.get(ext);
    if (!m) {
      m = `${BigInt.asIntN(64, BigInt(`0x${randomBytes(8).toString('hex')}`))}-${this.switchIp}-${ext}`;
      this.monitorIds.set(ext, m);
    }
    return m;
  }

  /** A participant id / conference-leg id in the vendor's base64 form. */
  static participantId(): string {
    return randomBytes(16).toString('base64');
  }
}

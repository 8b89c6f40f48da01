/**
 * CTIPS call identities over the core's legs: one int CallId (and a long CallSequenceId) per core
 * call (correlation id); the legs of each call that are still live; the call's service, ANI/DNIS and
 * user data; whether it was established or cleared. A CallId becomes invalid at CallEnd (L1453).
 */
import type { LegSnapshot } from '../../../simulator/core/index.js';

export interface CallRecord {
  callId: number;
  sequenceId: number;
  correlationId: string;
  serviceId: number;
  ani: string;
  dnis: string;
  /** Live legs by leg id → owner userId ('' for external). */
  live: Map<string, string>;
  established: boolean;
  cleared: boolean;
  /** The CallId this call consults from (ConsultationCall). */
  consultOf?: number;
  /** SetCallData's 20 user fields. */
  userData: string[];
}

/**
 * @example
 * const book = new CallBook();
 * const rec = book.track(leg); // assigns a CallId on the first leg of a call
 */
export class CallBook {
  private next: number;
  private readonly byCorrelation = new Map<string, CallRecord>();
  private readonly byCallId = new Map<number, CallRecord>();
  private readonly byLeg = new Map<string, CallRecord>();

  /** `idBase`: the core's (`PbxCore.idBase`), so that CallIds do not repeat those of an earlier run. */
  constructor(idBase = 0) {
    this.next = 1000 + idBase;
  }

  /** The record of a leg's call, created (with a new CallId) for a new call; adds the leg as live. */
  track(leg: LegSnapshot): { rec: CallRecord; created: boolean } {
    let rec = this.byLeg.get(leg.id) ?? this.byCorrelation.get(leg.correlationId);
    let created = false;
    if (!rec) {
      const callId = ++this.next;
      rec = {
        callId,
        sequenceId: Date.now() * 1000 + (callId % 1000),
        correlationId: leg.correlationId,
        serviceId: 0,
        ani: '',
        dnis: '',
        live: new Map(),
        established: false,
        cleared: false,
        userData: [],
      };
      this.byCorrelation.set(leg.correlationId, rec);
      this.byCallId.set(callId, rec);
      created = true;
    }
    if (!this.byLeg.has(leg.id)) {
      this.byLeg.set(leg.id, rec);
      rec.live.set(leg.id, leg.userId ?? '');
    }
    return { rec, created };
  }

  ofLeg(legId: string): CallRecord | undefined {
    return this.byLeg.get(legId);
  }

  get(callId: number): CallRecord | undefined {
    return this.byCallId.get(callId);
  }

  /** The live leg of `userId` in call `callId`. */
  legOf(callId: number, userId: string): string | undefined {
    const rec = this.byCallId.get(callId);
    if (!rec) return undefined;
    for (const [legId, owner] of rec.live) if (owner === userId) return legId;
    return undefined;
  }

  /** Removes a leg from its call's live set; true when the call has no live leg left (CallEnd). */
  release(legId: string): { rec: CallRecord; ended: boolean } | undefined {
    const rec = this.byLeg.get(legId);
    if (!rec || !rec.live.delete(legId)) return undefined;
    this.byLeg.delete(legId);
    const ended = rec.live.size === 0;
    if (ended) {
      this.byCorrelation.delete(rec.correlationId);
      this.byCallId.delete(rec.callId);
    }
    return { rec, ended };
  }

  /** Live calls (Snapshot CallInfo). */
  list(): CallRecord[] {
    return [...this.byCallId.values()];
  }
}

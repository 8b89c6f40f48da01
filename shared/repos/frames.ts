/**
 * A WebSocket channel's frames as its log (`./channel-log.ts`) and the frame journals
 * (`./frame-journal.ts`) store them: a reference to the event of each `channelSeq`.
 */

/** One frame of a channel: its `channelSeq` and the event it carries. */
export interface FrameRef {
  seq: number;
  link: string;
  eventSeq: number;
  eventId: string;
  eventType: string;
  createdAt: string;
}

/** A segment to append: consecutive frames from `first` on. */
export interface NewSegment {
  tenant: string;
  channel: string;
  first: number;
  frames: Omit<FrameRef, 'seq' | 'createdAt'>[];
}

/** How a frame is stored: the reference to its event, compact (its `channelSeq` is its position). */
export type FrameRow = [link: string, eventSeq: number, eventId: string, eventType: string];

/** The stored rows of a segment's frames. */
export const rowsOf = (s: Pick<NewSegment, 'frames'>): FrameRow[] =>
  s.frames.map((f) => [f.link, f.eventSeq, f.eventId, f.eventType]);

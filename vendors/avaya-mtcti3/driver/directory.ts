/**
 * The IP Office directory as the Lines subscription reports it: users and hunt groups by name, each
 * with its GUID (what User and Queue subscriptions name) and extension.
 */
import { guidHex, type LinesEntry, type Notify } from '../wire/codec.js';

export interface DirEntry {
  guid: Uint8Array;
  extn: string;
  name: string;
}

/**
 * @example
 * const dir = new Directory();
 * dir.apply({ adduser: [{ name: 'alice', extn: '1001', guid }] });
 * dir.resolveUser('1001')?.name; // 'alice'
 */
export class Directory {
  readonly users = new Map<string, DirEntry>();
  readonly queues = new Map<string, DirEntry>();

  userByExtn(extn: string): DirEntry | undefined {
    for (const u of this.users.values()) if (u.extn === extn) return u;
    return undefined;
  }

  queueByExtn(extn: string): DirEntry | undefined {
    for (const q of this.queues.values()) if (q.extn === extn) return q;
    return undefined;
  }

  /** A bridge user id → directory entry (the IP Office user name; the extension is accepted too). */
  resolveUser(id: string): DirEntry | undefined {
    return (
      this.users.get(id) ??
      [...this.users.values()].find((u) => u.name.toLowerCase() === id.toLowerCase()) ??
      this.userByExtn(id)
    );
  }

  /** A bridge queue id → directory entry (the hunt group name; the extension is accepted too). */
  resolveQueue(id: string): DirEntry | undefined {
    return (
      this.queues.get(id) ??
      [...this.queues.values()].find((q) => q.name.toLowerCase() === id.toLowerCase() || q.extn === id)
    );
  }

  /** Applies one Lines notify (adds, changes and deletions of users and hunt groups). */
  apply(n: NonNullable<Notify['lines']>): void {
    put(this.users, n.adduser);
    put(this.users, n.changeuser);
    del(this.users, n.deleteuser);
    put(this.queues, n.addqueue);
    put(this.queues, n.changequeue);
    del(this.queues, n.deletequeue);
  }
}

function put(map: Map<string, DirEntry>, list: LinesEntry[] | undefined): void {
  for (const e of list ?? []) {
    if (!e.name || !e.guid) continue;
    const hex = guidHex(e.guid);
    for (const [k, v] of map) if (guidHex(v.guid) === hex) map.delete(k); // rename / renumber keeps the GUID
    map.set(e.name, { guid: e.guid, extn: e.extn ?? '', name: e.name });
  }
}

function del(map: Map<string, DirEntry>, list: LinesEntry[] | undefined): void {
  for (const e of list ?? []) {
    const hex = guidHex(e.guid);
    for (const [k, v] of map) if (guidHex(v.guid) === hex || (e.name && k === e.name)) map.delete(k);
  }
}

/**
 * The TCP listening addresses of some processes, read from /proc (no root needed for one's own
 * processes): each process's socket inodes, looked up in /proc/net/tcp and tcp6 in state LISTEN.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface Listener {
  pid: number;
  address: string;
  port: number;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes; // gone
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

/** `0100007F` → 127.0.0.1; tcp6's 32 hex digits → the IPv6 text form (`::ffff:127.0.0.1` kept as is). */
function address(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const b = hex.slice(w * 8, w * 8 + 8);
    const bytes = [3, 2, 1, 0].map((i) => b.slice(i * 2, i * 2 + 2)).join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const v6 = words.map((x) => parseInt(x, 16).toString(16)).join(':');
  if (v6.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${address(hex.slice(24))}`;
  if (v6 === '0:0:0:0:0:0:0:0') return '::';
  if (v6 === '0:0:0:0:0:0:0:1') return '::1';
  return v6;
}

/** Every TCP socket in LISTEN state held by one of `pids`. */
export function listeners(pids: number[]): Listener[] {
  const owner = new Map<string, number>();
  for (const pid of pids) for (const i of socketInodes(pid)) owner.set(i, pid);
  const out: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let rows: string[] = [];
    try {
      rows = readFileSync(file, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const row of rows) {
      const f = row.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A: LISTEN
      const pid = owner.get(f[9]!);
      if (pid === undefined) continue;
      const [hex, port] = f[1]!.split(':');
      out.push({ pid, address: address(hex!), port: parseInt(port!, 16) });
    }
  }
  return out;
}

/** Loopback: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export const isLoopback = (a: string) => /^(::ffff:)?127\./.test(a) || a === '::1';

/**
 * Who is logged in where. CTIPS names agents by AgentId (int, from AgentLoginStateChange, L637) and
 * AgentLoginName, stations by their address (`AgentStationAddress`, `StationId` of LoginAgent); the
 * bridge's users are station extensions. The directory learns the three from AgentLoginStateChange and
 * the agents of a snapshot (CTISnapShotAgentData), and forgets an agent on AgentLoggedOut.
 */
import { child, textOf } from '../wire/xml.js';
import { intOf } from '../wire/values.js';
import type { EventLike } from './outcomes.js';

export interface AgentEntry {
  agentId: number;
  loginName?: string;
  station?: string;
}

/**
 * @example
 * const agents = new AgentDirectory();
 * agents.observe(loginStateChangeEvent); // AgentId 12, AgentLoginName "jdoe", AgentStationAddress "4001"
 * agents.atStation('4001')?.agentId; // 12
 */
export class AgentDirectory {
  private readonly entries = new Map<number, AgentEntry>();
  /** The station each login name used last (kept after logout: the default station of a sign-in). */
  private readonly lastStation = new Map<string, string>();

  clear(): void {
    this.entries.clear();
  }

  /** Learns from an event (AgentLoginStateChange, SnapShotUpdate with AgentData). */
  observe(ev: EventLike): void {
    if (ev.name === 'AgentLoginStateChange') {
      const agentId = intOf(ev.node, 'AgentId');
      if (agentId === undefined || agentId <= 0) return;
      if (textOf(ev.node, 'LoginState') === 'AgentLoggedOut') {
        this.entries.delete(agentId);
        return;
      }
      this.learn(agentId, textOf(ev.node, 'AgentLoginName'), textOf(ev.node, 'AgentStationAddress'));
      return;
    }
    if (ev.name === 'SnapShotUpdate') {
      const data = child(ev.node, 'AgentData');
      if (!data || data.attrs.nil === 'true') return;
      const agentId = intOf(data, 'AgentId');
      if (agentId !== undefined && agentId > 0)
        this.learn(agentId, textOf(data, 'AgentLoginName'), textOf(data, 'AgentStationAddress'));
    }
  }

  /** An agent by AgentId. */
  byId(agentId: number): AgentEntry | undefined {
    return this.entries.get(agentId);
  }

  /** Learns (or completes) an agent's login name and station. */
  learn(agentId: number, loginName: string | undefined, station: string | undefined): void {
    const prev = this.entries.get(agentId);
    const entry: AgentEntry = {
      agentId,
      ...(loginName || prev?.loginName ? { loginName: loginName || prev!.loginName! } : {}),
      ...(station || prev?.station ? { station: station || prev!.station! } : {}),
    };
    this.entries.set(agentId, entry);
    if (entry.loginName && entry.station) this.lastStation.set(entry.loginName, entry.station);
  }

  /** The agent logged in at a station. */
  atStation(station: string): AgentEntry | undefined {
    for (const a of this.entries.values()) if (a.station === station) return a;
    return undefined;
  }

  /** An agent by login name, station or AgentId (as text): how commands name agents. */
  find(agent: string): AgentEntry | undefined {
    for (const a of this.entries.values()) if (a.loginName === agent) return a;
    const at = this.atStation(agent);
    if (at) return at;
    return /^\d+$/.test(agent) ? this.entries.get(Number(agent)) : undefined;
  }

  /** The station a login name used last. */
  stationOf(loginName: string): string | undefined {
    return this.lastStation.get(loginName);
  }

  all(): AgentEntry[] {
    return [...this.entries.values()];
  }
}

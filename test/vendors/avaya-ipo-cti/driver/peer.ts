/**
 * A scripted one-X server for the driver tests, written from the vendor document's own samples (the
 * digest's §7): an HTTP listener for the REST requests and a second listener for the WebSocket, so that
 * a driver that builds the WebSocket URL instead of taking it from the login response fails. It
 * answers logins with the sample shapes (L1001-1030, L1111-1191, L8253-8256), checks `ClientSessionId`
 * (401 otherwise), answers service requests 202 with an empty body unless told otherwise, records
 * every request and every WebSocket text, and lets the test push event frames.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const OPENAPI = 'http://openapi.common.avaya.com/';
export const CSTA = 'http://www.ecma-international.org/standards/ecma-323/csta/ed4';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface PeerSession {
  id: string;
  userName: string;
  extension: string;
  sockets: WebSocket[];
  /** Query parameters of each WebSocket upgrade. */
  upgrades: URLSearchParams[];
  /** Texts the client sent on the WebSocket, with their arrival time. */
  texts: { text: string; at: number }[];
  loggedOut: boolean;
}

export interface PeerOptions {
  host?: string;
  /** The HTTP port (0 = any). */
  port?: number;
  /** `application`: the login is answered with a device list; `device`: with the user's own fields. */
  kind?: 'application' | 'device';
  /** Extensions by device-user name (default: the user name's digits, else 1001). */
  extensions?: Record<string, string>;
  /** haConfiguration of every login response. */
  ha?: { primaryServer: string; secondaryServer: string };
  /** The application user's password (default: any). */
  password?: string;
}

/** Resolves once `pred` holds, re-checked whenever the peer records something. */
type Check = () => boolean;

export class IpoPeer {
  readonly requests: Recorded[] = [];
  readonly sessions: PeerSession[] = [];
  port = 0;
  wsPort = 0;
  /** Replies by path (below /inyama/service/); a function may inspect the request. */
  readonly replies = new Map<string, Reply | ((r: Recorded) => Reply)>();
  /** What the next logins answer instead of success (consumed one by one). */
  readonly loginReplies: Reply[] = [];
  /** Frames sent after a snapshot request, per session kind (built by the test). */
  snapshotFrames: (s: PeerSession) => string[] = () => [];
  private server!: http.Server;
  private wsServer!: http.Server;
  private wss!: WebSocketServer;
  private readonly sockets = new Set<net.Socket>();
  private waiters: Check[] = [];

  constructor(readonly opts: PeerOptions = {}) {}

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  get endpoint(): string {
    return `http://${this.host}:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.wsServer = http.createServer((_req, res) => res.writeHead(404).end());
    this.wss = new WebSocketServer({ noServer: true });
    this.wsServer.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as net.Socket, head));
    for (const s of [this.server, this.wsServer]) s.on('connection', (sock) => this.track(sock));
    this.port = await listen(this.server, this.host, this.opts.port ?? 0);
    this.wsPort = await listen(this.wsServer, this.host, 0);
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) for (const ws of s.sockets) ws.terminate();
    for (const sock of this.sockets) sock.destroy();
    this.wss.close();
    await Promise.all([close(this.server), close(this.wsServer)]);
  }

  /** The newest live session (of `userName`). */
  session(userName?: string): PeerSession | undefined {
    return [...this.sessions].reverse().find((s) => !s.loggedOut && (!userName || s.userName === userName));
  }

  /** Requests to a path below /inyama/service/ (e.g. `callcontrol/holdCall`). */
  to(path: string): Recorded[] {
    return this.requests.filter((r) => r.path === `/inyama/service/${path}`);
  }

  /** Sends a text frame on the session's (newest) socket. */
  send(frame: string, session = this.session()): void {
    const ws = session?.sockets.at(-1);
    if (!ws) throw new Error('no socket to send on');
    ws.send(frame);
  }

  /** Drops the session's socket as a server crash would. */
  drop(session = this.session()): void {
    for (const ws of session?.sockets ?? []) ws.terminate();
  }

  /** Resolves once `pred` returns a value; re-checked on every request and WebSocket text. */
  until<T>(pred: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check: Check = () => {
        const v = pred();
        if (!v) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`peer: timed out waiting for ${what}`));
      }, ms);
      if (!check()) this.waiters.push(check);
    });
  }

  // ------------------------------------------------------------------------------------ internals

  private poke(): void {
    this.waiters = this.waiters.filter((w) => !w());
  }

  private track(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://peer');
    const rec: Recorded = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    this.requests.push(rec);
    const reply = this.answer(rec);
    res.writeHead(reply.status, { 'content-type': 'application/xml', ...reply.headers });
    res.end(reply.body ?? '');
    this.poke();
    if (rec.path === '/inyama/service/snapshot' && reply.status === 200) {
      const s = this.byHeader(rec);
      if (s) setImmediate(() => this.snapshotFrames(s).forEach((f) => this.send(f, s)));
    }
  }

  private byHeader(r: Recorded): PeerSession | undefined {
    const id = r.headers['clientsessionid'];
    return this.sessions.find((s) => s.id === id && !s.loggedOut);
  }

  private answer(r: Recorded): Reply {
    if (r.path === '/inyama/service/session' && r.method === 'POST') return this.login(r);
    const session = this.byHeader(r);
    const custom = this.replies.get(r.path.replace('/inyama/service/', ''));
    if (custom) return typeof custom === 'function' ? custom(r) : custom;
    if (!session) return { status: 401 };
    if (r.path === '/inyama/service/session' && r.method === 'DELETE') {
      session.loggedOut = true;
      return { status: 200 };
    }
    if (r.path === '/inyama/service/session/heartbeat') return { status: 202 };
    if (r.path === '/inyama/service/snapshot') return { status: 200 };
    return { status: 202 };
  }

  private login(r: Recorded): Reply {
    const next = this.loginReplies.shift();
    if (next) return next;
    const userName = /<userName[^>]*>([^<]*)<\/userName>/.exec(r.body)?.[1] ?? '';
    const password = /<userPassword[^>]*>([^<]*)<\/userPassword>/.exec(r.body)?.[1] ?? '';
    if (this.opts.password !== undefined && password !== this.opts.password)
      return { status: 401, body: errorDoc('INVALID_CREDENTIALS', 'userName', 'invalid credentials') };
    const id = randomUUID();
    const kind = this.opts.kind ?? 'application';
    const extension = this.opts.extensions?.[userName] ?? (/\d+/.exec(userName)?.[0] || '1001');
    // a second login of the same user from this client ends the older session (L1305-1311)
    const older = this.session(userName);
    if (kind === 'device' && older) {
      older.loggedOut = true;
      for (const ws of older.sockets) ws.send(logoutFrame());
    }
    this.sessions.push({ id, userName, extension, sockets: [], upgrades: [], texts: [], loggedOut: false });
    const wsUrl = `ws://${this.host}:${this.wsPort}/inyama/openapiwebsocket/${id}`;
    const body =
      kind === 'application'
        ? applicationLogin(id, wsUrl, this.host, this.opts.ha)
        : deviceLogin(id, wsUrl, userName, extension, this.host, this.opts.ha);
    return { status: 200, body };
  }

  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://peer');
    const m = /^\/inyama\/openapiwebsocket\/(.+)$/.exec(url.pathname);
    const session = m && this.sessions.find((s) => s.id === m[1] && !s.loggedOut);
    if (!session) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      session.sockets.push(ws);
      session.upgrades.push(url.searchParams);
      ws.on('message', (data) => {
        session.texts.push({ text: (data as Buffer).toString('utf8'), at: Date.now() });
        this.poke();
      });
      this.poke();
    });
  }
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

// ------------------------------------------------------------------------------------ sample documents

const ha = (h: PeerOptions['ha']) =>
  h
    ? ` <haConfiguration>\n  <primaryServer>${h.primaryServer}</primaryServer>\n  <secondaryServer>${h.secondaryServer}</secondaryServer>\n </haConfiguration>\n`
    : '';

/** The device-user login response (S2, L1001-1030; haConfiguration as L8253-8256). */
export function deviceLogin(
  id: string,
  wsUrl: string,
  userName: string,
  extension: string,
  ipo: string,
  h?: PeerOptions['ha'],
): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns3:userLoginResponse xmlns:ns2="${CSTA}" xmlns:ns3="${OPENAPI}">
 <applicationVersion>10.1.0.152</applicationVersion>
 <clientSessionID>${id}</clientSessionID>
 <userName>${userName}</userName>
 <userExtension>${extension}</userExtension>
 <userSwitchDevice>${ipo}</userSwitchDevice>
 <userParkSlots>1@${ipo}|2@${ipo}</userParkSlots>
 <userHuntGroups/>
 <stationMonitorEnabled>false</stationMonitorEnabled>
 <inService>true</inService>
 <userMonitorID>3497757415048302301-${ipo}-${extension}</userMonitorID>
 <loginFailureCode>NONE</loginFailureCode>
 <xmppConnectionFailureCode>NONE</xmppConnectionFailureCode>
 <subscriptionUrl>ws://111.111.111.111:8080/</subscriptionUrl>
 <userLicensePackage>PowerUserPackage</userLicensePackage>
 <webSocketHttpPort>8080</webSocketHttpPort>
 <httpPort>8080</httpPort>
 <webSocketWsUrl>${wsUrl}</webSocketWsUrl>
${ha(h)} <xmppDomain>IntelliporaPri</xmppDomain>
</ns3:userLoginResponse>`;
}

/** The application-user login response (L1111-1191): stations 1001 and 1002 and a hunt group. */
export function applicationLogin(id: string, wsUrl: string, ipo: string, h?: PeerOptions['ha']): string {
  const station = (ext: string, user: string, full: string) => ` <devices>
  <switchingSubdomain>${ipo}</switchingSubdomain>
  <userExtension>${ext}</userExtension>
  <physicalExtension>${ext}</physicalExtension>
  <guid>F9207C80C3C711DF845E005056A935CF</guid>
  <userName>${user}</userName>
  <fullName>${full}</fullName>
  <monitorID>7012257330154654230-${ipo}-${ext}</monitorID>
  <deviceCategory>STATION</deviceCategory>
  <inService>true</inService>
  <loginTime>1486670576</loginTime>
  <logoutTime>1486670576</logoutTime>
  <wrapupTime>2</wrapupTime>
  <exDirectory>false</exDirectory>
  <accountStatus>true</accountStatus>
  <callDistributionMode/>
  <huntGroups>
   <huntgroup enabled="true" username="RnD"/>
  </huntGroups>
 </devices>
`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns3:userLoginResponse xmlns:ns2="${CSTA}" xmlns:ns3="${OPENAPI}">
 <applicationVersion>10.1.0.152</applicationVersion>
 <clientSessionID>${id}</clientSessionID>
${station('1001', 'jdoe', 'John Doe')}${station('1002', 'asmith', 'Ann Smith')} <devices>
  <switchingSubdomain>${ipo}</switchingSubdomain>
  <userExtension>2004</userExtension>
  <physicalExtension>2004</physicalExtension>
  <guid>8D3DC880C3C511DF8067005056A935CF</guid>
  <userName>RnD</userName>
  <fullName/>
  <monitorID>4845307942076631901-${ipo}-RnD</monitorID>
  <deviceCategory>GROUP</deviceCategory>
  <inService>false</inService>
  <callDistributionMode>Sequential</callDistributionMode>
  <users>
   <user enabled="true" username="jdoe"/>
  </users>
 </devices>
 <loginFailureCode>NONE</loginFailureCode>
 <subscriptionUrl>ws://111.111.111.111:8080/</subscriptionUrl>
 <ipOfficeTimestamp>1486741123697</ipOfficeTimestamp>
 <ipOfficeTimezone>+5:30</ipOfficeTimezone>
 <webSocketWsUrl>${wsUrl}</webSocketWsUrl>
${ha(h)} <xmppDomain>IntelliporaPri</xmppDomain>
</ns3:userLoginResponse>`;
}

/** An `<Errors>` document (S10, Appendix B, L8720-8744). */
export function errorDoc(
  code: string | undefined,
  value: string,
  description: string,
  wrapped = true,
): string {
  const e = `<Error>${code ? `<code>${code}</code>` : ''}<errorValue>${value}</errorValue><description>${description}</description></Error>`;
  return `<?xml version="1.0" encoding="UTF-8"?>${wrapped ? `<Errors>${e}</Errors>` : e}`;
}

// ------------------------------------------------------------------------------------ event frames

/** One openapi `Events` frame: `device` wraps the event as the application user receives it (L8568). */
export function frame(events: { device?: string; xml: string }[], clientSessionId?: string): string {
  const body = events
    .map((e) => (e.device ? `<ns3:Event device="${e.device}">${e.xml}</ns3:Event>` : e.xml))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ns3:Events${
    clientSessionId ? ` clientSessionId="${clientSessionId}"` : ''
  } xmlns:ns2="${CSTA}" xmlns:ns3="${OPENAPI}">${body}</ns3:Events>`;
}

/** S3: the logout event (L1510-1513), as a device user's frame. */
export function logoutFrame(reason = 'LOGIN_DIFFERENT_LOCATION'): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ns2:Events xmlns:ns2="${OPENAPI}" xmlns:ns3="${CSTA}"><ns2:logoutEvent><logoutReason>${reason}</logoutReason></ns2:logoutEvent></ns2:Events>`;
}

/** S9: HASwitchEvent (L8374-8378). */
export function haSwitchFrame(activeServer: string, clientSessionId?: string): string {
  return frame(
    [
      {
        xml: `<ns3:HASwitchEvent><primaryServerActive>true</primaryServerActive><activeServer>${activeServer}</activeServer></ns3:HASwitchEvent>`,
      },
    ],
    clientSessionId,
  );
}

const hexIp = (ip: string) => Buffer.from(ip).toString('hex').toUpperCase();
const devId = (n: string, ip = '127.0.0.1') =>
  `<ns2:deviceIdentifier switchingSubDomainInformationElements="${hexIp(ip)}" typeOfNumber="dialingNumber">${n}</ns2:deviceIdentifier>`;

/** The IP Office failover OutOfServiceEvent (L8409-8447): monitor-ID form, cause numberUnallocated. */
export function failoverOutOfService(ext: string): string {
  return `<ns2:OutOfServiceEvent><ns2:monitorCrossRefID>6347553966216858683-127.0.0.1-${ext}</ns2:monitorCrossRefID><ns2:device>${devId(ext)}</ns2:device><ns2:cause>numberUnallocated</ns2:cause></ns2:OutOfServiceEvent>`;
}

/** The phone-logoff OutOfServiceEvent (S4, L1555-1564): a UUID monitorCrossRefID. */
export function phoneLogoffOutOfService(ext: string): string {
  return `<ns2:OutOfServiceEvent><ns2:monitorCrossRefID>3bfe063c-0f31-4a8b-a54e-11ffd34ae108</ns2:monitorCrossRefID><ns2:device>${devId(ext)}</ns2:device><ns2:cause>numberUnallocated</ns2:cause></ns2:OutOfServiceEvent>`;
}

const monitor = '<ns2:monitorCrossRefID>70a3438d-c5d8-41e8-beda-bc7a81ec42ab</ns2:monitorCrossRefID>';

/** ServiceInitiatedEvent (L4218-4255): the new leg of a makeCall. */
export function serviceInitiated(callId: string, device: string): string {
  return `<ns2:ServiceInitiatedEvent>${monitor}<ns2:initiatedConnection><ns2:callID>${callId}</ns2:callID></ns2:initiatedConnection><ns2:initiatingDevice>${devId(device)}</ns2:initiatingDevice><ns2:localConnectionInfo>initiated</ns2:localConnectionInfo><ns2:cause>normal</ns2:cause></ns2:ServiceInitiatedEvent>`;
}

/** S7: DeliveredEvent (L3538-3549). */
export function delivered(callId: string, alerting: string, calling: string, called = alerting): string {
  return `<ns2:DeliveredEvent>${monitor}<ns2:connection><ns2:callID>${callId}</ns2:callID></ns2:connection><ns2:alertingDevice>${devId(alerting)}</ns2:alertingDevice><ns2:callingDevice>${devId(calling)}</ns2:callingDevice><ns2:calledDevice>${devId(called)}</ns2:calledDevice><ns2:localConnectionInfo>connected</ns2:localConnectionInfo><ns2:cause>normal</ns2:cause></ns2:DeliveredEvent>`;
}

/** QueuedEvent of a call entering a hunt group (inf: the document has only the park sample, L4128-4216). */
export function queued(callId: string, queue: string, calling: string): string {
  return `<ns2:QueuedEvent>${monitor}<ns2:queuedConnection><ns2:callID>${callId}</ns2:callID></ns2:queuedConnection><ns2:queue>${devId(queue)}</ns2:queue><ns2:callingDevice>${devId(calling)}</ns2:callingDevice><ns2:calledDevice>${devId(queue)}</ns2:calledDevice><ns2:localConnectionInfo>queued</ns2:localConnectionInfo><ns2:cause>newCall</ns2:cause></ns2:QueuedEvent>`;
}

/** EstablishedEvent (L3610). */
export function established(callId: string, answering: string, calling: string, called = answering): string {
  return `<ns2:EstablishedEvent>${monitor}<ns2:establishedConnection><ns2:callID>${callId}</ns2:callID></ns2:establishedConnection><ns2:answeringDevice>${devId(answering)}</ns2:answeringDevice><ns2:callingDevice>${devId(calling)}</ns2:callingDevice><ns2:calledDevice>${devId(called)}</ns2:calledDevice><ns2:localConnectionInfo>connected</ns2:localConnectionInfo><ns2:cause>normal</ns2:cause></ns2:EstablishedEvent>`;
}

/** HeldEvent (L3820). */
export function held(callId: string, holding: string): string {
  return `<ns2:HeldEvent>${monitor}<ns2:heldConnection><ns2:callID>${callId}</ns2:callID></ns2:heldConnection><ns2:holdingDevice>${devId(holding)}</ns2:holdingDevice><ns2:localConnectionInfo>null</ns2:localConnectionInfo><ns2:cause>normal</ns2:cause></ns2:HeldEvent>`;
}

/** ConnectionClearedEvent (L3337). */
export function cleared(callId: string, releasing: string, cause = 'normal'): string {
  return `<ns2:ConnectionClearedEvent>${monitor}<ns2:droppedConnection><ns2:callID>${callId}</ns2:callID></ns2:droppedConnection><ns2:releasingDevice>${devId(releasing)}</ns2:releasingDevice><ns2:localConnectionInfo>null</ns2:localConnectionInfo><ns2:cause>${cause}</ns2:cause></ns2:ConnectionClearedEvent>`;
}

/** FailedEvent (L3734; the sample's `failedConnetion` spelled right here). */
export function failedEvent(callId: string, failing: string, cause = 'busy'): string {
  return `<ns2:FailedEvent>${monitor}<ns2:failedConnection><ns2:callID>${callId}</ns2:callID></ns2:failedConnection><ns2:failingDevice>${devId(failing)}</ns2:failingDevice><ns2:localConnectionInfo>connected</ns2:localConnectionInfo><ns2:cause>${cause}</ns2:cause></ns2:FailedEvent>`;
}

/** CallInformationEvent (L5300-5440, abridged): one call of a snapshot. */
export function callInformation(callId: string, device: string, calling: string): string {
  return `<ns2:CallInformationEvent><ns2:monitorCrossRefID>4209132551190891703-127.0.0.1-${device}</ns2:monitorCrossRefID><ns2:connection><ns2:callID>${callId}</ns2:callID></ns2:connection><ns2:device>${devId(device)}</ns2:device><ns2:callingDevice><ns2:deviceIdentifier typeOfNumber="dialingNumber">${calling}</ns2:deviceIdentifier></ns2:callingDevice><ns2:connectionInfo><ns2:flowDirection>transmitAndReceive</ns2:flowDirection></ns2:connectionInfo></ns2:CallInformationEvent>`;
}

/** DoNotDisturbEvent (L5064). */
export function dndEvent(device: string, on: boolean): string {
  return `<ns2:DoNotDisturbEvent>${monitor}<ns2:device>${devId(device)}</ns2:device><ns2:doNotDisturbOn>${on}</ns2:doNotDisturbOn><ns2:callingDeviceList/></ns2:DoNotDisturbEvent>`;
}

/** ForwardingEvent (L5023). */
export function forwardingEvent(device: string, type: string, on: boolean, to?: string): string {
  return `<ns2:ForwardingEvent>${monitor}<ns2:device>${devId(device)}</ns2:device><ns2:forwardingType>${type}</ns2:forwardingType><ns2:forwardStatus>${on}</ns2:forwardStatus>${
    to ? `<ns2:forwardTo>${devId(to)}</ns2:forwardTo>` : ''
  }</ns2:ForwardingEvent>`;
}

/** GetAgentStateResponse (L4746-4764). */
export function agentStateResponse(ext: string, loggedOn: boolean, state: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ns3:GetAgentStateResponse xmlns:ns3="${CSTA}"><ns3:agentStateList><ns3:agentStateEntry><ns3:agentID>${ext}</ns3:agentID><ns3:loggedOnState>${loggedOn}</ns3:loggedOnState><ns3:agentInfo><ns3:agentInfoItem><ns3:acdGroup>RnD</ns3:acdGroup><ns3:agentState>${state}</ns3:agentState></ns3:agentInfoItem></ns3:agentInfo></ns3:agentStateEntry></ns3:agentStateList></ns3:GetAgentStateResponse>`;
}

/** The decoded correlatorData of a makeCall body (hex of the ASCII UUID, L2203). */
export function correlatorOf(body: string): string | undefined {
  const hex = /<[^>]*correlatorData>\s*<[^>]*string>([0-9A-Fa-f\s]+)</.exec(body)?.[1];
  return hex ? Buffer.from(hex.replace(/\s+/g, ''), 'hex').toString('utf8') : undefined;
}

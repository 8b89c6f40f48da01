/**
 * Session documents of the IP Office CTI WebServices (digest §2): the login request and its response
 * for a device user and for the application user (L743-1312), the synchronous error documents
 * (`Error`, `Errors`, Appendix B, L8695-8744), `logoutEvent` (L1478-1513), `HASwitchEvent`
 * (L8345-8377; those three in session-docs.ts, re-exported here) and HA configuration. Builders are used by the driver (requests) and the simulator
 * (responses, events); parsers by the other side.
 */
import { OPENAPI_NS } from './ns.js';
import type { IpoError } from './session-docs.js';
import { child, childrenOf, el, parseXml, textOf, writeXml, type XmlLimits, type XmlNode } from './xml.js';

/** The event categories of `loginSubscriptionRequest/eventTypes` (L801-972, L8174-8203). */
export const EVENT_TYPES = [
  'CapabilityExchangeServicesCallbackEvents',
  'MonitoringServicesCallbackEvents',
  'SnapshotServicesCallbackEvents',
  'CallControlFeaturesEvents',
  'CallAssociatedFeaturesEvents',
  'PhysicalDeviceFeaturesEvents',
  'LogicalDeviceFeaturesEvents',
  'DeviceMaintenanceEvents',
  'VoicemailServicesEvents',
  'RecordingServicesEvents',
  'CallLogEvents',
  'DirectoryEvents',
  'ImEvents',
  'PresenceEvents',
  'LogoutEvents',
  'SystemServicesCallbackEvents',
  'IOServicesFeaturesCallbackEvents',
  'PhotoChangeEvents',
  'IPOConfigChangeEvents',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Login failure and error codes (L1076-1091, L8350, L8768-8773). */
export const LOGIN_FAILURE_CODES = [
  'NONE',
  'SYSTEM_STARTUP_IN_PROGRESS',
  'INVALID_INPUT_XML_DATA',
  'INVALID_CREDENTIALS',
  'UNAUTHORIZED',
  'CSTA_PROVIDER_NOT_AVAILABLE',
  'PREFFERED_EDITION_LICENSE_NOT_AVAILABLE',
  'LICENSE_NOT_AVAILABLE',
  'CSTA_RESOURCE_NOT_AVAILABLE',
  'SERVER_PROBLEM',
  'SESSION_ERROR',
  'SYSTEM_DOWN',
  'USER_CONFIGURATION_PROBLEM',
  'UNKNOWN',
  'SERVICE_REDIRECTED',
  'BLOCKED_APPLICATION_VERSION',
] as const;

/** Field limits of the login request (L790-795). */
export const LOGIN_LIMITS = { userName: 15, userPassword: 15, applicationName: 50 } as const;

export interface LoginRequest {
  userName: string;
  userPassword: string;
  applicationName: string;
  applicationVersion?: string;
  /** Only `WEBSOCKET` is documented. */
  httpMethod?: string;
  eventTypes: string[];
}

export interface HaConfiguration {
  primaryServer: string;
  secondaryServer: string;
}

/** One `devices` entry of the application user's login response (L1111-1191). */
export interface IpoDevice {
  switchingSubdomain: string;
  userExtension: string;
  physicalExtension: string;
  guid: string;
  userName: string;
  fullName: string;
  monitorID: string;
  deviceCategory: 'STATION' | 'GROUP' | string;
  inService: boolean;
  loginTime?: number;
  logoutTime?: number;
  wrapupTime?: number;
  exDirectory?: boolean;
  accountStatus?: boolean;
  callDistributionMode?: string;
  /** Stations: the hunt groups; groups: the member users. */
  members: { enabled: boolean; username: string }[];
}

interface LoginResponseCommon {
  applicationVersion?: string;
  clientSessionID: string;
  /** `NONE` on success (the field text says blank: both read as success). */
  loginFailureCode: string;
  subscriptionUrl?: string;
  webSocketWsUrl?: string;
  webSocketWssUrl?: string;
  xmppDomain?: string;
  haConfiguration?: HaConfiguration;
}

export interface DeviceLoginResponse extends LoginResponseCommon {
  kind: 'device';
  userName: string;
  userExtension: string;
  userSwitchDevice?: string;
  /** `1@127.0.0.1|2@…` in the samples, tab-delimited per the text: split on both. */
  userParkSlots: string[];
  userHuntGroups: string[];
  stationMonitorEnabled?: boolean;
  inService?: boolean;
  userMonitorID?: string;
  xmppConnectionFailureCode?: string;
  userLicensePackage?: string;
  userAddOnLicensePackages?: string;
}

export interface ApplicationLoginResponse extends LoginResponseCommon {
  kind: 'application';
  devices: IpoDevice[];
  ipOfficeTimestamp?: number;
  ipOfficeTimezone?: string;
}

export type LoginResponse = DeviceLoginResponse | ApplicationLoginResponse;

const t = (name: string, value: string | number | boolean | undefined) =>
  value === undefined ? undefined : el(name, undefined, {}, String(value));
const bool = (s: string | undefined) => (s === undefined ? undefined : s.trim().toLowerCase() === 'true');
const num = (s: string | undefined) => {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

// ------------------------------------------------------------------ login request

/**
 * The login request body (`POST /inyama/service/session`, L764-787).
 *
 * @example
 * userLoginRequest({ userName: 'alice', userPassword: 'pw', applicationName: 'app', eventTypes: ['LogoutEvents'] });
 */
export function userLoginRequest(r: LoginRequest): string {
  return writeXml(
    el('userLoginRequest', OPENAPI_NS, {}, [
      t('userName', r.userName),
      t('userPassword', r.userPassword),
      t('applicationName', r.applicationName),
      t('applicationVersion', r.applicationVersion),
      el(
        'loginSubscriptionRequest',
        undefined,
        { httpMethod: r.httpMethod ?? 'WEBSOCKET', callBackUrl: ' ' },
        r.eventTypes.map((e) => el('eventTypes', undefined, {}, e)),
      ),
    ]),
    { declaration: true },
  );
}

/**
 * Reads a login request; undefined when the root is not `userLoginRequest`. Throws `IpoXmlError`.
 *
 * @example
 * parseLoginRequest(userLoginRequest(req))?.userName; // req.userName
 */
export function parseLoginRequest(xml: string, limits?: XmlLimits): LoginRequest | undefined {
  const root = parseXml(xml, limits);
  if (root.name !== 'userLoginRequest') return undefined;
  const sub = child(root, 'loginSubscriptionRequest');
  const r: LoginRequest = {
    userName: textOf(root, 'userName') ?? '',
    userPassword: textOf(root, 'userPassword') ?? '',
    applicationName: textOf(root, 'applicationName') ?? '',
    eventTypes: childrenOf(sub, 'eventTypes').map((e) => e.text),
  };
  const version = textOf(root, 'applicationVersion');
  if (version !== undefined) r.applicationVersion = version;
  if (sub?.attrs.httpMethod !== undefined) r.httpMethod = sub.attrs.httpMethod;
  return r;
}

/**
 * Validation errors of a login request (field limits, L790-795); empty when valid.
 *
 * @example
 * validateLoginRequest({ userName: '', userPassword: '', applicationName: 'a', eventTypes: [] }).length; // 1
 */
export function validateLoginRequest(r: LoginRequest): IpoError[] {
  const errors: IpoError[] = [];
  const check = (field: keyof typeof LOGIN_LIMITS, value: string, blankOk: boolean) => {
    if (!blankOk && !value.trim()) {
      errors.push({
        code: 'INVALID_INPUT_XML_DATA',
        errorValue: field,
        description: `${field} cannot be blank`,
      });
    } else if (value.length > LOGIN_LIMITS[field]) {
      errors.push({
        code: 'INVALID_INPUT_XML_DATA',
        errorValue: field,
        description: `${field} is longer than ${LOGIN_LIMITS[field]} characters`,
      });
    }
  };
  check('userName', r.userName, false);
  check('userPassword', r.userPassword, true);
  check('applicationName', r.applicationName, false);
  return errors;
}

// ------------------------------------------------------------------ login response

function haNode(ha: HaConfiguration | undefined): XmlNode | undefined {
  return ha
    ? el('haConfiguration', undefined, {}, [
        t('primaryServer', ha.primaryServer),
        t('secondaryServer', ha.secondaryServer),
      ])
    : undefined;
}

function deviceNode(d: IpoDevice): XmlNode {
  const group = d.deviceCategory === 'GROUP';
  const members = d.members.map((m) =>
    el(group ? 'user' : 'huntgroup', undefined, { enabled: String(m.enabled), username: m.username }),
  );
  return el('devices', undefined, {}, [
    t('switchingSubdomain', d.switchingSubdomain),
    t('userExtension', d.userExtension),
    t('physicalExtension', d.physicalExtension),
    t('guid', d.guid),
    t('userName', d.userName),
    t('fullName', d.fullName),
    t('monitorID', d.monitorID),
    t('deviceCategory', d.deviceCategory),
    t('inService', d.inService),
    t('loginTime', d.loginTime ?? 0),
    t('logoutTime', d.logoutTime ?? 0),
    t('wrapupTime', d.wrapupTime ?? 0),
    t('exDirectory', d.exDirectory ?? false),
    t('accountStatus', d.accountStatus ?? true),
    t('callDistributionMode', d.callDistributionMode ?? ''),
    el(group ? 'users' : 'huntGroups', undefined, {}, members),
  ]);
}

/**
 * The login response document (`userLoginResponse`, openapi namespace), either kind.
 *
 * @example
 * loginResponse({ kind: 'application', clientSessionID: 'id', loginFailureCode: 'NONE', devices: [] });
 */
export function loginResponse(r: LoginResponse): string {
  const urls = [t('webSocketWsUrl', r.webSocketWsUrl), t('webSocketWssUrl', r.webSocketWssUrl)];
  const body: (XmlNode | undefined)[] =
    r.kind === 'device'
      ? [
          t('applicationVersion', r.applicationVersion),
          t('clientSessionID', r.clientSessionID),
          t('userName', r.userName),
          t('userExtension', r.userExtension),
          t('userSwitchDevice', r.userSwitchDevice),
          t('userParkSlots', r.userParkSlots.join('|')),
          t('userHuntGroups', r.userHuntGroups.join('|')),
          t('stationMonitorEnabled', r.stationMonitorEnabled),
          t('inService', r.inService),
          t('userMonitorID', r.userMonitorID),
          t('loginFailureCode', r.loginFailureCode),
          t('xmppConnectionFailureCode', r.xmppConnectionFailureCode),
          t('subscriptionUrl', r.subscriptionUrl),
          t('userLicensePackage', r.userLicensePackage),
          t('userAddOnLicensePackages', r.userAddOnLicensePackages),
          ...urls,
          haNode(r.haConfiguration),
          t('xmppDomain', r.xmppDomain),
        ]
      : [
          t('applicationVersion', r.applicationVersion),
          t('clientSessionID', r.clientSessionID),
          ...r.devices.map(deviceNode),
          t('loginFailureCode', r.loginFailureCode),
          t('subscriptionUrl', r.subscriptionUrl),
          t('ipOfficeTimestamp', r.ipOfficeTimestamp),
          t('ipOfficeTimezone', r.ipOfficeTimezone),
          ...urls,
          haNode(r.haConfiguration),
          t('xmppDomain', r.xmppDomain),
        ];
  return writeXml(el('userLoginResponse', OPENAPI_NS, {}, body), { declaration: true });
}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(/[|\t]/)
    .map((x) => x.trim())
    .filter(Boolean);

function parseDevice(d: XmlNode): IpoDevice {
  const members = [
    ...childrenOf(child(d, 'huntGroups'), 'huntgroup'),
    ...childrenOf(child(d, 'users'), 'user'),
  ];
  const dev: IpoDevice = {
    switchingSubdomain: textOf(d, 'switchingSubdomain') ?? '',
    userExtension: textOf(d, 'userExtension') ?? '',
    physicalExtension: textOf(d, 'physicalExtension') ?? '',
    guid: textOf(d, 'guid') ?? '',
    userName: textOf(d, 'userName') ?? '',
    fullName: textOf(d, 'fullName') ?? '',
    monitorID: textOf(d, 'monitorID') ?? '',
    deviceCategory: textOf(d, 'deviceCategory') ?? '',
    inService: bool(textOf(d, 'inService')) ?? false,
    members: members.map((m) => ({ enabled: m.attrs.enabled !== 'false', username: m.attrs.username ?? '' })),
  };
  const opt = { loginTime: 'loginTime', logoutTime: 'logoutTime', wrapupTime: 'wrapupTime' } as const;
  for (const k of Object.values(opt)) {
    const v = num(textOf(d, k));
    if (v !== undefined) dev[k] = v;
  }
  const ex = bool(textOf(d, 'exDirectory'));
  if (ex !== undefined) dev.exDirectory = ex;
  const acc = bool(textOf(d, 'accountStatus'));
  if (acc !== undefined) dev.accountStatus = acc;
  const mode = textOf(d, 'callDistributionMode');
  if (mode) dev.callDistributionMode = mode;
  return dev;
}

/**
 * Reads a login response. The application user's response is recognised by its `devices` entries or
 * `ipOfficeTimestamp`, the device user's by `userExtension`. Undefined when the root is not
 * `userLoginResponse`. Throws `IpoXmlError`.
 *
 * @example
 * parseLoginResponse(loginResponse(resp))?.kind; // resp.kind
 */
export function parseLoginResponse(xml: string, limits?: XmlLimits): LoginResponse | undefined {
  const root = parseXml(xml, limits);
  if (root.name !== 'userLoginResponse') return undefined;
  const common: LoginResponseCommon = {
    clientSessionID: textOf(root, 'clientSessionID') ?? '',
    loginFailureCode: textOf(root, 'loginFailureCode') || 'NONE',
  };
  const opt = [
    'applicationVersion',
    'subscriptionUrl',
    'webSocketWsUrl',
    'webSocketWssUrl',
    'xmppDomain',
  ] as const;
  for (const k of opt) {
    const v = textOf(root, k);
    // the vendor's samples wrap URLs across lines: white space is never part of them
    if (v) common[k] = k === 'xmppDomain' ? v : v.replace(/\s+/g, '');
  }
  const ha = child(root, 'haConfiguration');
  if (ha) {
    common.haConfiguration = {
      primaryServer: textOf(ha, 'primaryServer') ?? '',
      secondaryServer: textOf(ha, 'secondaryServer') ?? '',
    };
  }
  const devices = childrenOf(root, 'devices');
  const ts = textOf(root, 'ipOfficeTimestamp');
  if (devices.length > 0 || ts !== undefined || child(root, 'userExtension') === undefined) {
    const r: ApplicationLoginResponse = { kind: 'application', ...common, devices: devices.map(parseDevice) };
    const n = num(ts);
    if (n !== undefined) r.ipOfficeTimestamp = n;
    const tz = textOf(root, 'ipOfficeTimezone');
    if (tz !== undefined) r.ipOfficeTimezone = tz;
    return r;
  }
  const r: DeviceLoginResponse = {
    kind: 'device',
    ...common,
    userName: textOf(root, 'userName') ?? '',
    userExtension: textOf(root, 'userExtension') ?? '',
    userParkSlots: list(textOf(root, 'userParkSlots')),
    userHuntGroups: list(textOf(root, 'userHuntGroups')),
  };
  const strs = [
    'userSwitchDevice',
    'userMonitorID',
    'xmppConnectionFailureCode',
    'userLicensePackage',
    'userAddOnLicensePackages',
  ] as const;
  for (const k of strs) {
    const v = textOf(root, k);
    if (v !== undefined) r[k] = v;
  }
  const sme = bool(textOf(root, 'stationMonitorEnabled'));
  if (sme !== undefined) r.stationMonitorEnabled = sme;
  const ins = bool(textOf(root, 'inService'));
  if (ins !== undefined) r.inService = ins;
  return r;
}

export * from './session-docs.js';

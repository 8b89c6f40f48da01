/**
 * Writes CAP messages as the specification's samples show them: the UTF-8 XML declaration, the
 * `<BroadsoftDocument protocol="CAP" version="17.0">` envelope (CCC2 too), two-space indentation,
 * element order of the samples and DTDs, `<x></x>` for empty text and `<x/>` for marker elements.
 * The unique-id attribute is `userId` in CAP-C (its DTD) and `userUid` in CCC2 (its DTD). Nothing the
 * writer emits carries any of the samples' defects.
 */
import type { CapCall, CapMessage, CapQueueCall, CapUser } from './model.js';
import { CALL_TEXT_FIELDS, QUEUE_CALL_TEXT_FIELDS } from './model.js';
import { writeXml, type OutNode } from './xml.js';

export const CAP_PROTOCOL = 'CAP';
export const CAP_VERSION = '17.0';
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export type CapDialect = 'cap-c' | 'ccc2';

export interface SerializeOptions {
  /** Which DTD's attribute names to use. Default 'cap-c'. */
  dialect?: CapDialect;
  /** Start with the XML declaration. Default true. */
  prolog?: boolean;
}

type Attr = readonly [string, string | undefined];

const leaf = (name: string, text: string | undefined): OutNode | undefined =>
  text === undefined ? undefined : { name, text };
const num = (name: string, v: number | undefined): OutNode | undefined =>
  v === undefined ? undefined : { name, text: String(v) };
const flag = (name: string, v: boolean | undefined): OutNode | undefined =>
  v === undefined ? undefined : { name, text: v ? 'True' : 'False' };
const marker = (name: string, on: boolean | undefined): OutNode | undefined => (on ? { name } : undefined);

function callNode(c: CapCall): OutNode {
  const text = (f: (typeof CALL_TEXT_FIELDS)[number]) => leaf(f, c[f]);
  const cc = c.callCenter;
  return {
    name: 'call',
    attrs: [
      ['callId', c.callId],
      ['extTrackingId', c.extTrackingId],
    ],
    children: [
      num('appearance', c.appearance),
      num('personality', c.personality),
      num('state', c.state),
      num('releaseCause', c.releaseCause),
      ...CALL_TEXT_FIELDS.map(text),
      cc && {
        name: 'callCenter',
        attrs: [['id', cc.id]],
        children: (
          [
            'joinCallCenter',
            'DNISName',
            'DNISNumber',
            'callWaitTime',
            'longestWaitTime',
            'numCallsInQueue',
          ] as const
        ).map((f) => leaf(f, cc[f])),
      },
      marker('holdReminder', c.holdReminder),
    ],
  };
}

function queueCallNode(q: CapQueueCall): OutNode {
  return {
    name: 'queueCall',
    attrs: [['callId', q.callId]],
    children: [
      ...QUEUE_CALL_TEXT_FIELDS.map((f) => leaf(f, q[f])),
      num('position', q.position),
      leaf('destination', q.destination),
      num('priority', q.priority),
    ],
  };
}

/** Writes one message as a document (no trailing separator). */
export function serializeCap(m: CapMessage, options: SerializeOptions = {}): string {
  const uidName = options.dialect === 'ccc2' ? 'userUid' : 'userId';
  const u: CapUser = m.user ?? {};
  /** `<user>` as the server writes it: id, userType, uid, then the children, applicationId last. */
  const serverUser = (kids: (OutNode | undefined)[], extra: Attr[] = []): OutNode => ({
    name: 'user',
    attrs: [['id', u.id], ['userType', u.userType], [uidName, u.userUid], ...extra],
    children: [...kids, leaf('applicationId', u.applicationId)],
  });
  /** `<user>` of the registration group: userType and uid attributes, `<id>` as a child. */
  const regUser = (before: (OutNode | undefined)[], after: (OutNode | undefined)[] = []): OutNode => ({
    name: 'user',
    attrs: [
      ['userType', u.userType],
      [uidName, u.userUid],
    ],
    children: [
      ...before,
      leaf('id', u.id),
      leaf('applicationId', u.applicationId),
      ...after,
      leaf('supervisorId', u.supervisorId),
    ],
  });
  /** `<user>` as a client writes it: userType then id. */
  const clientUser = (kids: (OutNode | undefined)[], extra: Attr[] = []): OutNode => ({
    name: 'user',
    attrs: [
      ...extra,
      ['userType', u.userType],
      ['id', u.id],
      [uidName, u.id === undefined ? u.userUid : undefined],
    ],
    children: [...kids, leaf('applicationId', u.applicationId)],
  });
  const monitoredKids = (x: { monitoredUserUid?: string; monitoredUserId?: string }) => [
    leaf('monitoredUserUid', x.monitoredUserUid),
    leaf('monitoredUserId', x.monitoredUserId),
  ];

  let data: (OutNode | undefined)[];
  switch (m.type) {
    case 'registerAuthentication':
      data = [regUser([])];
      break;
    case 'responseAuthentication':
      data = [
        regUser([
          m.failure !== undefined ? { name: 'failure', attrs: [['failureCause', m.failure]] } : undefined,
        ]),
        leaf('nonce', m.nonce),
        leaf('algorithm', m.algorithm),
      ];
      break;
    case 'registerRequest':
      // the sample (L747-758) puts securePassword and applicationId beside <user>
      data = [
        {
          name: 'user',
          attrs: [['userType', u.userType]],
          children: [leaf('id', u.id), leaf('supervisorId', u.supervisorId)],
        },
        leaf('securePassword', m.securePassword),
        leaf('applicationId', u.applicationId),
      ];
      break;
    case 'registerResponse':
      data = [
        regUser(
          [m.failure !== undefined ? { name: 'failure', attrs: [['failureCause', m.failure]] } : undefined],
          [num('numMonitoredUsers', m.numMonitoredUsers), flag('callDetailsEnabled', m.callDetailsEnabled)],
        ),
      ];
      break;
    case 'acknowledgement':
      data = [
        {
          name: 'user',
          attrs: [
            ['userType', u.userType],
            [uidName, u.userUid],
            ['id', u.id],
          ],
          children: [
            { name: 'message', attrs: [['messageName', m.messageName ?? 'registerResponse']] },
            m.failed ? { name: 'failure' } : undefined,
            leaf('applicationId', u.applicationId),
          ],
        },
      ];
      break;
    case 'unRegister':
      data = [
        {
          name: 'user',
          attrs: [
            ['userLogoutReason', m.reason],
            ['userType', u.userType],
            ['id', u.id],
            [uidName, u.userUid],
          ],
          children: [leaf('applicationId', u.applicationId)],
        },
      ];
      break;
    case 'sessionUpdate':
      data = [
        serverUser([
          ...monitoredKids(m),
          flag('offHook', m.offHook),
          num('numCalls', m.numCalls),
          num('maxCalls', m.maxCalls),
          flag('epControl', m.epControl),
          m.conference && {
            name: 'conference',
            attrs: [['conferenceState', m.conference.state]],
            children: [
              ...m.conference.callIds.map((id): OutNode => ({ name: 'callIn', attrs: [['callInId', id]] })),
              ...m.conference.appearances.map((a): OutNode => ({ name: 'appearance', text: a })),
              marker('silentlyMonitored', m.conference.silentlyMonitored),
            ],
          },
        ]),
      ];
      break;
    case 'profileUpdate':
      data = [
        serverUser([
          marker('initialUpdate', m.initialUpdate),
          ...monitoredKids(m),
          ...Object.entries(m.fields)
            .filter(([k]) => k !== 'cfaDestination')
            .map(([k, v]): OutNode => {
              if (k === 'cfa' && m.fields['cfaDestination'] !== undefined)
                return { name: k, attrs: [['cfaDestination', m.fields['cfaDestination']]], text: v };
              return v === '' ? { name: k } : { name: k, text: v };
            }),
          ...m.callCenters.map((c): OutNode => ({
            name: 'callCenter',
            attrs: [['id', c.id]],
            children: [leaf('joinCallCenter', c.joinCallCenter)],
          })),
        ]),
      ];
      break;
    case 'callUpdate':
      data = [serverUser([...monitoredKids(m), ...m.calls.map(callNode)])];
      break;
    case 'callAction':
      data = [
        clientUser([
          {
            name: 'action',
            attrs: [
              ['actionType', m.actionType],
              ['responseRequested', m.responseRequested ? 'True' : undefined],
              ['id', m.actionId],
            ],
            children: m.params.map((p): OutNode => ({
              name: 'actionParam',
              attrs: [['actionParamName', p.name]],
              text: p.value,
            })),
          },
        ]),
      ];
      break;
    case 'callActionResponse':
      data = [
        serverUser([
          {
            name: 'action',
            attrs: [
              ['actionType', m.actionType],
              ['id', m.actionId],
            ],
            children: [
              {
                name: 'result',
                attrs: [['success', m.success ? 'True' : 'False']],
                children: [leaf('message', m.message)],
              },
            ],
          },
        ]),
      ];
      break;
    case 'callControlInfo':
      data = [
        serverUser([
          {
            name: 'call',
            attrs: [
              ['callId', m.callId],
              ['extTrackingId', m.extTrackingId],
            ],
            children: m.controls.map((c): OutNode => ({
              name: 'control',
              attrs: [['controlType', c.type]],
              text: c.enabled ? 'True' : 'False',
            })),
          },
        ]),
      ];
      break;
    case 'externalNotify':
      data = [
        clientUser([
          leaf('thirdPartyMWI', m.thirdPartyMWI),
          m.clearVMMWI ? { name: 'clearVMMWI', text: '' } : undefined,
        ]),
      ];
      break;
    case 'infoRequest':
      data = [{ name: 'capVersionRequest' }];
      break;
    case 'infoResponse':
      data = m.versions.map((v): OutNode => ({ name: 'capVersionResponse', text: v }));
      break;
    case 'serverStatusRequest':
      data = m.user ? [clientUser([])] : [];
      break;
    case 'monitoringUsersRequest':
      data = [
        clientUser([
          { name: 'monitoring', attrs: [['monType', m.monType]] },
          ...m.monUsers.map((id): OutNode => ({ name: 'monUser', text: id })),
        ]),
      ];
      break;
    case 'monitoringUsersResponse':
      data = [
        serverUser([
          { name: 'monResult', attrs: [['success', m.success ? 'True' : 'False']] },
          ...m.failedUsers.map((f): OutNode => ({
            name: 'failedUser',
            attrs: [
              ['failureReason', f.reason],
              ['id', f.id],
            ],
          })),
        ]),
      ];
      break;
    case 'queueUpdate':
      data = [
        serverUser([]),
        { name: 'queue', attrs: [['updateReason', m.updateReason]], children: m.calls.map(queueCallNode) },
      ];
      break;
    case 'queueAction':
      data = [
        clientUser([]),
        {
          name: 'queueActionData',
          attrs: [['actionType', m.actionType]],
          children: [m.call && queueCallNode(m.call)],
        },
      ];
      break;
    case 'queueProfileUpdate':
      data = [
        serverUser([
          marker('initialUpdate', m.initialUpdate),
          leaf('nightService', m.nightService),
          leaf('holidayService', m.holidayService),
          leaf('forcedForwarding', m.forcedForwarding),
        ]),
      ];
      break;
    case 'queueInfoRequest':
      data = [regUser([])];
      break;
    case 'queueInfoResponse':
      data = [
        serverUser(
          m.callCenters.map((c): OutNode => ({
            name: 'callcenter',
            attrs: [['id', c.id]],
            children: [num('numCallsInQueue', c.numCallsInQueue)],
          })),
        ),
      ];
      break;
    case 'datagram': {
      const party = (name: string, p: CapUser | undefined): OutNode | undefined =>
        p && {
          name,
          children: [
            {
              name: 'user',
              attrs: [
                ['userType', p.userType],
                ['id', p.id],
              ],
              children: [leaf('applicationId', p.applicationId)],
            },
          ],
        };
      data = [
        party('from', m.from),
        party('to', m.to),
        m.payload === undefined
          ? undefined
          : { name: 'payload', attrs: [['payloadType', m.payloadType]], text: m.payload },
      ];
      break;
    }
  }
  const doc: OutNode = {
    name: 'BroadsoftDocument',
    attrs: [
      ['protocol', CAP_PROTOCOL],
      ['version', CAP_VERSION],
    ],
    children: [
      {
        name: 'command',
        attrs: [['commandType', m.type]],
        children: [{ name: 'commandData', children: data }],
      },
    ],
  };
  const lines = writeXml(doc);
  if (options.prolog ?? true) lines.unshift(XML_DECLARATION);
  return lines.join('\n');
}

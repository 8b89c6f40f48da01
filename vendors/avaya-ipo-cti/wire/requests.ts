/**
 * The service requests of the IP Office CTI WebServices (digest §4.1-§4.2): call control
 * (`POST /inyama/service/callcontrol/<path>`), device services (`logicaldevice/...`) and the snapshot.
 * For each: its path (`PATHS`, request-types.ts), a builder of the XML body (driver side, here) and
 * `parseRequest` (request-parse.ts, re-exported), which reads a body into a typed request or into the
 * validation errors a 400 `<Errors>` carries (simulator side).
 *
 * Roots and their children are CSTA-qualified, except `ARSRecordCall`/`ARSStopRecordCall`, whose
 * `connection` and `requestingDevice` are unqualified while the nested `callID` is qualified (L5494-5499).
 * correlatorData travels as `<correlatorData><string>HEX(ascii)</string>`; the typed requests carry it
 * decoded.
 */
import { asciiToHex } from './hex.js';
import { CSTA_NS } from './ns.js';
import type { Req } from './request-types.js';
import { el, writeXml, type XmlNode } from './xml.js';

export * from './request-types.js';
export * from './request-parse.js';

// ------------------------------------------------------------------ builders

const c = (
  name: string,
  content: string | (XmlNode | undefined)[] = [],
  attrs: Record<string, string | undefined> = {},
) => el(name, CSTA_NS, attrs, content);
const callRef = (role: string, callID: string) => c(role, [c('callID', callID)]);
const dev = (name: string, number: string, ssdie?: string) =>
  c(name, number, {
    switchingSubDomainInformationElements: ssdie ? asciiToHex(ssdie) : undefined,
    typeOfNumber: 'dialingNumber',
  });
const correlator = (data: string | undefined) =>
  data === undefined ? undefined : c('correlatorData', [c('string', asciiToHex(data))]);
const doc = (root: XmlNode) => writeXml(root, { declaration: true });

/**
 * `MakeCall` (L2157-2280). `correlatorData` is the client's unique id (a UUID), sent as hex.
 *
 * @example
 * buildMakeCall({ callingDevice: '1001', calledDirectoryNumber: '1002', correlatorData: crypto.randomUUID() });
 */
export function buildMakeCall(p: Omit<Req<'makeCall'>, 'kind'>): string {
  const cli = p.cli
    ? c('extensions', [
        c('privateData', [
          c('private', [
            el(
              'additionalInfo',
              undefined,
              { booleanFlag: 'true', intValue: '0', stringData: 'EXTENDEDSERVICES' },
              [
                el('additionalCallRequestInfo', undefined, {}, [
                  p.cli.cliDisplayNumber === undefined
                    ? undefined
                    : el('cliDisplayNumber', undefined, {}, p.cli.cliDisplayNumber),
                  p.cli.withholdCli === undefined
                    ? undefined
                    : el('withholdCli', undefined, {}, String(p.cli.withholdCli)),
                ]),
              ],
            ),
          ]),
        ]),
      ])
    : undefined;
  return doc(
    c('MakeCall', [
      dev('callingDevice', p.callingDevice, p.switchingSubDomain),
      dev('calledDirectoryNumber', p.calledDirectoryNumber),
      c('autoOriginate', 'doNotPrompt'),
      correlator(p.correlatorData),
      c('mediaCallCharacteristics', [c('mediaClass', [c('voice', 'true')])]),
      c('subjectOfCall'),
      cli,
    ]),
  );
}

/** @example buildAnswerCall({ callID: 'fcd44fe6-…' }) */
export function buildAnswerCall(p: { callID: string }): string {
  return doc(c('AnswerCall', [callRef('callToBeAnswered', p.callID)]));
}

/** @example buildClearCall({ callID: '13317814-…' }) */
export function buildClearCall(p: { callID: string }): string {
  return doc(c('ClearCall', [callRef('callToBeCleared', p.callID)]));
}

/**
 * `ClearConnection`; to drop one conference participant give its participantId as `callID`, the
 * conference's correlatorData and `reason: 'conference'` (L1837-1902).
 *
 * @example
 * buildClearConnection({ callID: 'Rj5hgDSrEdimEwDgBwVP9w==', correlatorData: confId, reason: 'conference' });
 */
export function buildClearConnection(p: Omit<Req<'clearConnection'>, 'kind'>): string {
  return doc(
    c('ClearConnection', [
      callRef('connectionToBeCleared', p.callID),
      correlator(p.correlatorData),
      p.reason === undefined ? undefined : c('reason', p.reason),
    ]),
  );
}

/** @example buildHoldCall({ callID: 'a5bba1cb-…' }) */
export function buildHoldCall(p: { callID: string }): string {
  return doc(c('HoldCall', [callRef('callToBeHeld', p.callID)]));
}

/** @example buildRetrieveCall({ callID: 'a5bba1cb-…' }) */
export function buildRetrieveCall(p: { callID: string }): string {
  return doc(c('RetrieveCall', [callRef('callToBeRetrieved', p.callID)]));
}

/** @example buildConsultationCall({ existingCall: 'b76e…', consultedDevice: '303', correlatorData: uuid }) */
export function buildConsultationCall(p: Omit<Req<'consultationCall'>, 'kind'>): string {
  return doc(
    c('ConsultationCall', [
      callRef('existingCall', p.existingCall),
      c('consultedDevice', p.consultedDevice, { typeOfNumber: 'dialingNumber' }),
      correlator(p.correlatorData),
      c('subjectOfCall'),
    ]),
  );
}

/** @example buildTransferCall({ heldCall: 'b76e…', activeCall: '952f…' }) */
export function buildTransferCall(p: { heldCall: string; activeCall: string }): string {
  return doc(c('TransferCall', [callRef('heldCall', p.heldCall), callRef('activeCall', p.activeCall)]));
}

/** @example buildConferenceCall({ heldCall: 'a695…', activeCall: 'fb55…' }) */
export function buildConferenceCall(p: { heldCall: string; activeCall: string }): string {
  return doc(c('ConferenceCall', [callRef('heldCall', p.heldCall), callRef('activeCall', p.activeCall)]));
}

/**
 * `SingleStepTransferCall` as ECMA-323 defines it (the vendor's doc has no sample, L2533-2571).
 *
 * @example
 * buildSingleStepTransferCall({ activeCall: 'a5bb…', transferredTo: '1003' });
 */
export function buildSingleStepTransferCall(p: { activeCall: string; transferredTo: string }): string {
  return doc(
    c('SingleStepTransferCall', [
      callRef('activeCall', p.activeCall),
      c('transferredTo', p.transferredTo, { typeOfNumber: 'dialingNumber' }),
    ]),
  );
}

/** @example buildParkCall({ callID: 'e461…', parkTo: '1' }) */
export function buildParkCall(p: { callID: string; parkTo: string }): string {
  return doc(
    c('ParkCall', [
      callRef('parking', p.callID),
      c('parkTo', p.parkTo, { typeOfNumber: 'dialingNumber' }),
      c('subjectOfCall'),
    ]),
  );
}

/** @example buildDirectedPickupCall({ callID: '28b2…', requestingDevice: '301' }) */
export function buildDirectedPickupCall(p: { callID: string; requestingDevice: string }): string {
  return doc(
    c('DirectedPickupCall', [
      callRef('callToBePickedUp', p.callID),
      dev('requestingDevice', p.requestingDevice),
    ]),
  );
}

/** @example buildGenerateDigits({ callID: 'af26…', charactersToSend: '123#' }) */
export function buildGenerateDigits(p: { callID: string; charactersToSend: string }): string {
  return doc(
    c('GenerateDigits', [
      callRef('connectionToSendDigits', p.callID),
      c('digitMode', 'dTMF'),
      c('charactersToSend', p.charactersToSend),
    ]),
  );
}

/** @example buildRecordCall({ callID: 'a5bb…', requestingDevice: '201' }) */
export function buildRecordCall(p: { callID: string; requestingDevice?: string }): string {
  return doc(
    c('ARSRecordCall', [
      el('connection', undefined, {}, [c('callID', p.callID)]),
      p.requestingDevice === undefined
        ? undefined
        : el('requestingDevice', undefined, { typeOfNumber: 'dialingNumber' }, p.requestingDevice),
    ]),
  );
}

/** @example buildStopRecordCall({ callID: 'b2e2…' }) */
export function buildStopRecordCall(p: { callID: string }): string {
  return doc(c('ARSStopRecordCall', [el('connection', undefined, {}, [c('callID', p.callID)])]));
}

/**
 * `SetAgentState` as ECMA-323 defines it (the vendor's doc says "Currently not supported", L4661-4699).
 *
 * @example
 * buildSetAgentState({ device: '1003', requestedAgentState: 'ready' });
 */
export function buildSetAgentState(p: Omit<Req<'setAgentState'>, 'kind'>): string {
  return doc(
    c('SetAgentState', [
      dev('device', p.device),
      c('requestedAgentState', p.requestedAgentState),
      p.acdGroup === undefined ? undefined : c('acdGroup', p.acdGroup),
    ]),
  );
}

/** @example buildGetAgentState({ device: '1003' }) */
export function buildGetAgentState(p: { device: string }): string {
  return doc(c('GetAgentState', [dev('device', p.device)]));
}

/** @example buildSetForwarding({ device: '1202', forwardingType: 'forwardImmediate', activateForward: true, forwardDN: '72482642' }) */
export function buildSetForwarding(p: Omit<Req<'setForwarding'>, 'kind'>): string {
  return doc(
    c('SetForwarding', [
      dev('device', p.device),
      c('forwardingType', p.forwardingType),
      c('activateForward', String(p.activateForward)),
      p.forwardDN === undefined ? undefined : dev('forwardDN', p.forwardDN),
    ]),
  );
}

/** @example buildGetForwarding({ device: '202' }) */
export function buildGetForwarding(p: { device: string }): string {
  return doc(c('GetForwarding', [dev('device', p.device)]));
}

/** @example buildSetDoNotDisturb({ device: '201', doNotDisturbOn: true }) */
export function buildSetDoNotDisturb(p: { device: string; doNotDisturbOn: boolean }): string {
  return doc(
    c('SetDoNotDisturb', [
      dev('device', p.device),
      c('doNotDisturbOn', String(p.doNotDisturbOn)),
      c('callingDeviceList'),
    ]),
  );
}

/** @example buildGetDoNotDisturb({ device: '202' }) */
export function buildGetDoNotDisturb(p: { device: string }): string {
  return doc(c('GetDoNotDisturb', [dev('device', p.device)]));
}

import { PbxError } from '../../../simulator/core/types.js';

/** A request failure: HTTP-style status plus the BroadWorks ErrorInfo code (omitted when undefined). */
export class BwError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    summary: string,
  ) {
    super(summary);
    this.name = 'BwError';
  }
}

export const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export const E = {
  missingParam: (name: string) => new BwError(400, 1000, `Missing required parameter: ${name}.`),
  methodNotSupported: (m: string) => new BwError(405, 1108, `Method ${m} is not supported.`),
  handlerNotFound: (uri: string) => new BwError(404, 1113, `No handler found for ${uri}.`),
  invalidXml: (why: string) => new BwError(409, 1116, `Invalid Xml: ${why}`),
  invalidRequest: (why: string) => new BwError(400, 102006, `Invalid request: ${why}`),
  badUserId: (id: string) => new BwError(400, 100002, `User ID ${id} must be of the form user@domain.`),
  userNotFound: (id: string) => new BwError(400, 100003, `User ${id} not found.`),
  unauthorized: (status: 400 | 403) => new BwError(status, 100004, 'Unauthorized request.'),
  badAddress: (a: string) => new BwError(400, 100005, `Address ${a} must be a SIP or tel URI.`),
  callNotFound: (id: string) => new BwError(400, 101002, `Call ${id} not found.`),
  callStateInvalid: (id: string) => new BwError(400, 101001, `State for call ${id} is not valid.`),
  callDetached: (id: string) => new BwError(400, 101004, `Call ${id} is detached.`),
  channelNotFound: (id: string) => new BwError(403, 110841, `Channel ${id} not found.`),
  channelSetNotFound: (id: string) => new BwError(403, 110842, `Channel set ${id} not found.`),
  groupNotFound: (id: string) => new BwError(403, 110860, `Group ${id} not found.`),
  enterpriseNotFound: (id: string) =>
    new BwError(403, 110861, `Service provider or enterprise ${id} not found.`),
  subscriptionNotFound: (id: string) => new BwError(403, 110862, `Subscription ID ${id} not found.`),
  channelSetRequired: () => new BwError(400, 110863, 'HttpContact or ChannelSetId must be defined.'),
  badLocation: (l: string) => new BwError(400, 111000, `Location ${l} is not valid.`),
  serviceNotAssigned: (svc: string) =>
    new BwError(400, 4410, `The user has not been assigned the ${svc} service.`),
  serviceUserNotFound: (id: string) => new BwError(401, 4008, `User ${id} not found.`),
  forwardNumberRequired: () => new BwError(400, 5700, 'A phone number is required to activate the service.'),
};

/** Map a core error to the spec's status and code. */
export function fromPbxError(err: PbxError, ctx: { callId?: string } = {}): BwError {
  const id = ctx.callId ?? '';
  switch (err.code) {
    case 'USER_NOT_FOUND':
      return new BwError(400, 100003, err.message);
    case 'CALL_NOT_FOUND':
      return new BwError(400, 101002, err.message);
    case 'INVALID_STATE':
      return E.callStateInvalid(id || 'unknown');
    case 'INVALID_ADDRESS':
      return new BwError(400, 100005, err.message);
    case 'NO_REMOTE':
      return new BwError(400, 101000, `Call ${id} has no remote call.`);
    case 'BOTH_ALERTING':
      return new BwError(400, 110505, 'Cannot transfer: both calls are alerting.');
    case 'INVALID_CALL_IDS':
      return new BwError(400, 101008, err.message);
    case 'CONFERENCE_EXISTS':
      return new BwError(400, 110642, 'A conference is already present.');
    case 'NO_CONFERENCE':
      return new BwError(400, 110640, 'No conference is present.');
    case 'ALREADY_IN_CONFERENCE':
      return new BwError(400, 110648, err.message);
    case 'NOT_IN_CONFERENCE':
      return new BwError(400, 110645, err.message);
    case 'TOO_MANY_PARTICIPANTS':
      return new BwError(400, 110643, err.message);
    case 'INVALID_DTMF':
      return new BwError(400, 110811, err.message);
    case 'NOT_AN_AGENT':
      return E.serviceNotAssigned('Call Center');
    case 'NOT_A_QUEUE':
      return new BwError(400, 110407, err.message);
    case 'FORWARD_NUMBER_REQUIRED':
      return E.forwardNumberRequired();
    case 'INVALID_ARGUMENT':
      return E.invalidRequest(err.message);
  }
}

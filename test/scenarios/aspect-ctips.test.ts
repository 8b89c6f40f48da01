/**
 * The shared scenario suite against the Aspect CTIPS link the local stack creates (`sim-aspect`): SOAP
 * requests to the simulator's CTIPS service, events as SOAP callbacks to the connector's callback
 * listener. CTIPS is an agent desktop protocol: call events name the agent (AgentId), never a device, so
 * a user's calls are seen while an agent is logged in at the user's station. The simulator logs every
 * user who is no ACD agent in at start; the ACD agents (carol, dave) sign in through the API here, as an
 * agent desktop would. Targets are station extensions. Differences from the BroadWorks reference are
 * listed here with their reason and in docs/protocols/aspect-ctips.md ("Scenario suite").
 */
import { aspectStack, ext } from './aspect-ctips-support.js';
import { REFERENCE, runScenarioSuite } from './suite.js';

/**
 * CTIPS announces an outbound call once for its agent (CallOriginated, L1538-1560; CallStarted, L1599-1630, names no
 * agent): nothing like BroadWorks' second `call.updated dialing` follows `call.originated`.
 */
const withoutDialingUpdate = (scenario: string) =>
  REFERENCE[scenario]!.filter((l) => !l.endsWith(' call.updated dialing'));

/**
 * CTIPS reports a conference with one CallConferenced (L1336-1356) once the held call is back
 * (CallRetrieved): nothing like BroadWorks' `call.updated held` / `call.updated active` of the
 * consultation leg, and `conference.started` comes after the retrieval it follows on the wire.
 */
const conference = (() => {
  const lines = withoutDialingUpdate('conference');
  const started = lines.indexOf('alice conference.started active');
  const dropped = lines.splice(started - 2, 3);
  const afterRetrieve = lines.indexOf('bob call.updated active', started - 2);
  if (
    dropped.join() !== 'alice call.updated held,alice call.updated active,alice conference.started active' ||
    lines[afterRetrieve - 1] !== 'alice call.retrieved active'
  )
    throw new Error(`the reference conference changed: ${lines.join(' | ')}`);
  lines.splice(afterRetrieve + 1, 0, 'alice conference.started active');
  return lines;
})();

runScenarioSuite({
  vendor: 'aspect-ctips',
  user: ext,
  start: aspectStack,
  expectations: {
    ...Object.fromEntries(
      ['basic', 'hold', 'blind-transfer', 'consult-transfer'].map((n) => [n, withoutDialingUpdate(n)]),
    ),
    conference,
    // After an answered ACD call a CTIPS agent wraps until it disposes the call (§9.1 steps 9 and 12).
    acd: [...REFERENCE['acd']!, 'carol agent.state wrap-up'],
  },
  skip: {
    services: 'CTIPS has no do-not-disturb or forwarding request (digest §4-§5)',
  },
});

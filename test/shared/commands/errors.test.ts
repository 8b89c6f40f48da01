/** The command error table, read by the connector (thrown error → body) and the API (body → problem). */
import { describe, expect, it } from 'vitest';
import {
  COMMAND_ERRORS,
  LinkUnavailableError,
  NotSupportedError,
  VendorError,
  commandError,
  commandErrorOf,
  parseCommandError,
} from '../../../shared/commands/errors.js';
import { commandProblem } from '../../../shared/commands/problems.js';

const link = { id: 'pbx', vendor: 'broadworks-cti' as const, status: 'up', lastError: null };

describe('command errors', () => {
  it('maps thrown driver errors to bodies with the table status', () => {
    expect(commandErrorOf(new LinkUnavailableError('down'))).toEqual(commandError('unavailable', 'down'));
    expect(commandErrorOf(new NotSupportedError('broadworks-cti', 'raw'))?.error).toMatchObject({
      kind: 'not-supported',
      status: COMMAND_ERRORS['not-supported'].status,
      vendor: { name: 'broadworks-cti' },
    });
    expect(
      commandErrorOf(new VendorError(409, 'busy', { name: 'broadworks-cti', code: '1' }))?.error.status,
    ).toBe(409);
    expect(commandErrorOf(new TypeError('bug'))).toBeUndefined();
  });

  it('round-trips each kind through the wire into the API problem', () => {
    const wire = (body: unknown) => parseCommandError(500, JSON.parse(JSON.stringify(body)));
    const notOwner = commandProblem(wire(commandError('not-owner', 'moved')), link);
    expect(notOwner.status).toBe(503);
    expect(notOwner.extras.headers).toEqual({ 'retry-after': '5' });
    const vendor = commandProblem(
      wire(commandError('vendor', 'busy', { status: 409, vendor: { name: 'broadworks-cti', code: '1' } })),
      link,
    );
    expect(vendor.status).toBe(409);
    expect(vendor.body()).toMatchObject({
      type: 'urn:cti-bridge:problem:vendor-error',
      vendor: { code: '1' },
    });
    expect(commandProblem(wire(commandError('not-supported', 'no raw')), link).status).toBe(501);
    expect(commandProblem(wire(commandError('internal', 'boom')), link).status).toBe(502);
  });

  it('reads an unrecognisable answer as internal', () => {
    expect(parseCommandError(500, 'oops')).toMatchObject({
      kind: 'internal',
      message: 'connector answered 500',
    });
    expect(parseCommandError(418, { error: { kind: 'new-kind', message: 'm', status: 418 } }).kind).toBe(
      'internal',
    );
  });
});

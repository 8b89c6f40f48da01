/**
 * The raw request (manifest: `{operation, body?}`): one CTIPS request with the fields of its Args
 * (Appendix A names); SessionId and TenantId are the connection's, and a RequestId is filled in for
 * the operations that take one. The connection's own life (OpenConnection, CloseConnection, OnLine,
 * OffLine) is the driver's and refused here. Answered `{status: 200, body: the result as plain values}`;
 * a fault is a VendorError like any command's.
 */
import { z } from 'zod';
import { isCtipsOperation, OPERATIONS, type CtipsOperation } from '../wire/operations.js';
import { nodeToValue } from '../wire/values.js';
import type { CtipsConnection } from './connection.js';
import { badRequest } from './errors.js';

const RESERVED = new Set(['OpenConnection', 'CloseConnection', 'OnLine', 'OffLine']);

export const RawRequest = z.strictObject({
  operation: z.string().min(1).max(64),
  body: z.record(z.string(), z.unknown()).optional(),
});

/**
 * @example
 * await sendRaw(conn, { operation: 'GetCallData', body: { AgentId: 12, CallId: 7 } }); // { status: 200, body: '0' }
 */
export async function sendRaw(
  conn: CtipsConnection,
  request: unknown,
): Promise<{ status: number; body: unknown }> {
  const parsed = RawRequest.safeParse(request);
  if (!parsed.success)
    throw badRequest(
      `invalid raw request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  const { operation, body = {} } = parsed.data;
  if (!isCtipsOperation(operation)) throw badRequest(`unknown CTIPS operation ${operation}`);
  if (RESERVED.has(operation)) throw badRequest(`${operation} is the driver's own (the connection's life)`);
  const op: CtipsOperation = operation;
  const fields: Record<string, unknown> = { ...body };
  delete fields['SessionId'];
  delete fields['TenantId'];
  if ((OPERATIONS[op] as readonly string[]).includes('RequestId') && fields['RequestId'] === undefined)
    fields['RequestId'] = conn.nextRequestId();
  const result = await conn.request(op, fields);
  return { status: 200, body: nodeToValue(result) };
}

/**
 * The HTTP side of the CTIPS service: POST of SOAP 1.1 requests at the service path, body size limit
 * checked while reading (413), XML without DTDs (the reader refuses them), the operation taken from the
 * body (the SOAPAction header is not required to match: WCF dispatches on it, but a body naming a
 * known operation is enough here), faults as HTTP 500 with a SOAP fault (WCF's behaviour).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CtipsXmlError } from '../wire/xml.js';
import { CtipsFault, soapFault } from '../wire/soap.js';
import { buildResponse, parseRequest } from '../wire/operations.js';
import { RequestFault, type SimContext } from './context.js';
import { dispatch } from './dispatch.js';

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves one HTTP request.
 *
 * @example
 * createServer((req, res) => void serve(ctx, req, res));
 */
export async function serve(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== ctx.opts.path) return send(res, 404, soapFault('s:Client', `no service at ${path}`));
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, soapFault('s:Client', 'POST a SOAP request'));
    }
    const body = await readBody(req, ctx.opts.maxBodyBytes);
    if (body === undefined) {
      send(res, 413, soapFault('s:Client', `request larger than ${ctx.opts.maxBodyBytes} bytes`));
      req.resume();
      return;
    }
    const { op, params } = parseRequest(body, { maxBytes: ctx.opts.maxBodyBytes });
    const result = dispatch(ctx, op, params);
    send(res, 200, buildResponse(op, result, ctx.opts.namespaces));
  } catch (err) {
    if (err instanceof RequestFault) return send(res, 500, soapFault('s:Client', err.message));
    if (err instanceof CtipsFault) return send(res, 500, soapFault(err.code, err.reason));
    if (err instanceof CtipsXmlError)
      return send(res, 400, soapFault('s:Client', `bad request: ${err.message}`));
    if (!res.headersSent) send(res, 500, soapFault('s:Server', 'internal error'));
  }
}

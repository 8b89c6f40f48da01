/**
 * A scripted CAP peer on a real TCP (or TLS) listener, for what the simulator cannot be made to do: stay
 * silent, send vendor garbage, serve TLS. It answers infoRequest unless told not to, records every
 * document the driver sent, and lets the test write any bytes.
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  CapFramer,
  parseCapDocument,
  serializeCap,
  type CapMessage,
} from '../../../../vendors/broadworks-cap/wire/index.js';

export class CapPeer {
  readonly received: CapMessage[] = [];
  readonly sockets: net.Socket[] = [];
  private server!: net.Server;
  port = 0;

  constructor(private readonly opts: { answerInfo?: boolean; tls?: { cert: string; key: string } } = {}) {}

  async start(): Promise<this> {
    const onSocket = (s: net.Socket) => {
      this.sockets.push(s);
      const framer = new CapFramer();
      s.on('data', (chunk: Buffer) => {
        for (const d of framer.push(chunk).documents) {
          const m = parseCapDocument(d);
          this.received.push(m);
          if (m.type === 'infoRequest' && (this.opts.answerInfo ?? true))
            this.send({ type: 'infoResponse', versions: ['17.0'] }, s);
        }
      });
      s.on('error', () => undefined);
    };
    this.server = this.opts.tls ? tls.createServer(this.opts.tls, onSocket) : net.createServer(onSocket);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Writes a message (CCC2 dialect) on `socket` (default: the first connection). */
  send(m: CapMessage, socket = this.sockets[0]): void {
    socket?.write(`${serializeCap(m, { dialect: 'ccc2' })}\n`);
  }

  /** Writes raw bytes on the first connection. */
  write(text: string | Buffer): void {
    this.sockets[0]?.write(text);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A small CAP test client over a real TCP socket: frames and parses what the simulator sends, keeps
 * every message in arrival order, and lets tests await a message instead of sleeping.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { XMLValidator } from 'fast-xml-parser';
import {
  CapFramer,
  parseCapDocument,
  securePassword,
  serializeCap,
  type CapDialect,
  type CapMessage,
  type CapMessageOf,
  type CommandType,
} from '../../../vendors/broadworks-cap/wire/index.js';

export class CapTestClient {
  /** Every message received, in order. */
  readonly messages: CapMessage[] = [];
  /**
   * Documents that are not well-formed XML with the CAP envelope (rule 30); every test expects none.
   */
  readonly malformed: string[] = [];
  /** The raw bytes received. */
  raw = Buffer.alloc(0);
  /** How many socket reads delivered data. */
  reads = 0;
  closed = false;
  private readonly framer = new CapFramer();
  private readonly events = new EventEmitter();
  /** Index of the next message `next()` looks at. */
  cursor = 0;

  private constructor(
    readonly socket: net.Socket,
    readonly dialect: CapDialect,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.reads++;
      this.raw = Buffer.concat([this.raw, chunk]);
      for (const d of this.framer.push(chunk).documents) {
        const envelope =
          /^(<\?xml version="1\.0" encoding="UTF-8"\?>\n)?<BroadsoftDocument protocol="CAP" version="17\.0">/;
        if (XMLValidator.validate(d) !== true || !envelope.test(d)) this.malformed.push(d);
        this.messages.push(parseCapDocument(d));
      }
      this.events.emit('change');
    });
    socket.on('close', () => {
      this.closed = true;
      this.events.emit('change');
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, dialect: CapDialect = 'cap-c'): Promise<CapTestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new CapTestClient(s, dialect)));
      s.once('error', reject);
    });
  }

  send(m: CapMessage): void {
    this.socket.write(serializeCap(m, { dialect: this.dialect }) + '\n');
  }

  /** Waits until `pred` holds (re-checked on every arrival and on close). */
  until<T>(pred: () => T | undefined | false, what = 'condition', timeoutMs = 4000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out waiting for ${what}; got ${this.messages.map((m) => m.type).join(', ')}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.events.off('change', check);
      };
      this.events.on('change', check);
      check();
    });
  }

  /** The next message after the cursor, which must be of `type`; moves the cursor past it. */
  async next<T extends CommandType>(type: T): Promise<CapMessageOf<T>> {
    const m = await this.until(() => this.messages[this.cursor], `a ${type}`);
    this.cursor++;
    if (m.type !== type) throw new Error(`expected ${type}, got ${m.type}: ${JSON.stringify(m)}`);
    return m as CapMessageOf<T>;
  }

  /** The next message of `type`, skipping others; moves the cursor past it. */
  async nextOf<T extends CommandType>(
    type: T,
    pred: (m: CapMessageOf<T>) => boolean = () => true,
  ): Promise<CapMessageOf<T>> {
    const i = await this.until(() => {
      const k = this.messages.findIndex(
        (m, idx) => idx >= this.cursor && m.type === type && pred(m as CapMessageOf<T>),
      );
      return k >= 0 ? k + 1 : undefined;
    }, `a ${type}`);
    this.cursor = i;
    return this.messages[i - 1] as CapMessageOf<T>;
  }

  /**
   * A barrier: sends infoRequest and returns every message that arrived before its infoResponse. The
   * server handles one connection's documents in order, so anything it would send in reaction to earlier
   * input arrives first; an empty result proves that nothing was sent.
   */
  async drain(): Promise<CapMessage[]> {
    this.send({ type: 'infoRequest' });
    const before = this.cursor;
    const at = await this.until(() => {
      const k = this.messages.findIndex((m, idx) => idx >= before && m.type === 'infoResponse');
      return k >= 0 ? k + 1 : undefined;
    }, 'infoResponse (barrier)');
    this.cursor = at;
    return this.messages.slice(before, at - 1);
  }

  /** registerAuthentication → registerRequest; returns the registerResponse (no acknowledgement yet). */
  async register(id: string, password: string, userType = 'CallClient', applicationId = 'test-app') {
    this.send({ type: 'registerAuthentication', user: { userType, id, applicationId } });
    const auth = await this.next('responseAuthentication');
    if (auth.failure) return { auth, response: undefined };
    this.send({
      type: 'registerRequest',
      user: { userType, id, applicationId },
      securePassword: securePassword(auth.nonce ?? '', password),
    });
    return { auth, response: await this.next('registerResponse') };
  }

  /** The full login including the acknowledgement. */
  async login(id: string, password: string, userType = 'CallClient', applicationId = 'test-app') {
    const { response } = await this.register(id, password, userType, applicationId);
    if (!response || response.failure) throw new Error(`login failed: ${response?.failure}`);
    this.send({
      type: 'acknowledgement',
      user: { userType, id, applicationId },
      messageName: 'registerResponse',
      failed: false,
    });
    return response;
  }

  close(): void {
    this.socket.destroy();
  }
}

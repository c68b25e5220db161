import * as fs from 'fs';
import * as path from 'path';
import { launchMotoServer, MOTO_LOG_FILE, MOTO_PID_FILE } from './moto-server';

/**
 * Jest globalSetup: starts one moto server for every test file; its endpoint reaches the
 * workers through the environment, its PID the teardown through a file.
 */
export default async function startMoto(): Promise<void> {
  const { endpoint, server } = await launchMotoServer({ detached: true, logFile: MOTO_LOG_FILE });
  // Detached, the server is outside the terminal's process group, so Ctrl-C does not reach it, and
  // a run that dies before globalTeardown never reads the PID file: this process kills it then.
  const stop = () => server.kill();
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Re-raised once the listener is gone, so the run still ends as that signal would end it.
    process.once(signal, () => { stop(); process.kill(process.pid, signal); });
  }
  // Neither the server nor the signal listeners keep jest's event loop alive, so jest exits when the tests end.
  server.unref();
  try {
    fs.mkdirSync(path.dirname(MOTO_PID_FILE), { recursive: true });
    fs.writeFileSync(MOTO_PID_FILE, String(server.pid));
  } catch (error) {
    stop();
    throw error;
  }
  process.env.MOTO_ENDPOINT = endpoint;
}

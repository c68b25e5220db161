import * as fs from 'fs';
import { launchMotoServer, MOTO_PID_FILE } from './moto-server';

/**
 * Jest globalSetup: starts one moto server for every test file; its endpoint reaches the
 * workers through the environment, its PID the teardown through a file.
 */
export default async function startMoto(): Promise<void> {
  const { endpoint, server } = await launchMotoServer({ detached: true });
  server.unref();
  fs.writeFileSync(MOTO_PID_FILE, String(server.pid));
  process.env.MOTO_ENDPOINT = endpoint;
}

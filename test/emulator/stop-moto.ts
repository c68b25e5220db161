import * as fs from 'fs';
import { MOTO_PID_FILE } from './moto-server';

/** Jest globalTeardown: stops the moto server that globalSetup started, by its PID. */
export default function stopMoto(): void {
  if (!fs.existsSync(MOTO_PID_FILE)) return;
  const pid = Number(fs.readFileSync(MOTO_PID_FILE, 'utf8'));
  fs.rmSync(MOTO_PID_FILE);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

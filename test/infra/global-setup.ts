// Runs once before the infra and e2e suites: builds any missing server
// binaries up front, so no suite's hook times out during a first build.
import { ensureAllBinaries } from './binaries.ts';

export default async function setup(): Promise<void> {
  await ensureAllBinaries();
}

// What `lifeboat manifests` does once its flags are parsed; loaded on demand (see ../manifests.ts).
import type { Io } from '../../io.ts';
import { type ManifestOptions, renderManifests } from '../../operations/manifests.ts';

export function manifests(args: ManifestOptions, io: Io): number {
  io.stdout(renderManifests(args));
  return 0;
}

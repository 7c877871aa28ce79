// Peak RSS of streaming commands. Every payload chunk (gRPC message, TLS record,
// file read, zlib output) is a Buffer that dies at once, but V8 frees its memory
// only when a scavenge finds it dead, and scavenges follow the JavaScript heap,
// which grows slowly here: 25-30 MiB of dead chunks used to wait for one. A minor
// GC on a timer (well under a millisecond each) bounds that to what arrives
// between two ticks.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type MinorGc = (options: { type: 'minor' }) => void;

export function collectYoungGarbage(everyMs: number): void {
  // And a nursery that stays at its initial size (V8 would grow it to 16 MiB semi-spaces).
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--expose-gc');
  // The flag exposes gc() to contexts created from now on; the main one already exists.
  const gc = runInNewContext('gc') as MinorGc;
  setInterval(() => gc({ type: 'minor' }), everyMs).unref();
}

// Peak RSS of streaming commands. Every payload chunk (gRPC message, TLS record,
// file read, zlib output) is a Buffer that dies at once, but V8 frees its memory
// only when a scavenge finds it dead, and scavenges follow the JavaScript heap,
// which grows slowly here: 25-30 MiB of dead chunks used to wait for one. A minor
// GC on a timer (well under a millisecond each) bounds that to what arrives
// between two ticks.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;
let gc: Gc | undefined;
let minorTimer: NodeJS.Timeout | undefined;

export function collectYoungGarbage(everyMs: number): void {
  // And a nursery that stays at its initial size (V8 would grow it to 16 MiB semi-spaces).
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--expose-gc');
  // The flag exposes gc() to contexts created from now on; the main one already exists.
  const collect = runInNewContext('gc') as Gc;
  gc = collect;
  minorTimer = setInterval(() => collect({ type: 'minor' }), everyMs).unref();
}

/**
 * For the backup pipeline, the opposite of the timer: its chunks wait in stages (the snapshot
 * stream's buffer, zlib, openpgp.js, the S3 part being filled) for longer than two 25 ms ticks,
 * so timed minor GCs find them alive twice and promote them to the old generation, where they
 * wait, dead, for a full GC that V8 starts only at ~64 MiB of external memory. Left to V8,
 * scavenges come when the nursery fills and most chunks die before their second one. 1 GiB
 * backup to MinIO, part pool in both: peak RSS 188-190 -> 150 MiB, CPU 11-13 -> 9.5-10.4 s.
 * `fetch` and `verify --key` are the same pipeline in reverse, and take the same settings
 * (streamingPipelineGcs() below): 1 GiB fetch 137 -> 100 MiB, verify 154 -> 133 MiB, less CPU.
 */
export function noTimedMinorGcs(): void {
  clearInterval(minorTimer);
  minorTimer = undefined;
}

/**
 * A full GC now (when collectYoungGarbage has run): for a command that has just dropped large
 * buffers in the old generation and goes on to a different phase, so they do not wait for V8's
 * heuristics (`snapshot ls`: the walk's page cache and key set before the table is written).
 */
export function collectAllGarbage(): void {
  gc?.({ type: 'major' });
}

/**
 * For long commands whose live heap stays small (`snapshot ls`, -o jsonl and the table, whose
 * rows are off the heap: ~10 MiB):
 * V8's heuristics may let the old generation grow to 50-80 MiB of garbage before a full GC,
 * depending on timing (measured 125 or 150 MiB peak RSS for the same run at 147k keys).
 * --optimize-for-size keeps the heap near its live size (full GCs of a 10 MiB heap take a few
 * ms): 110-115 MiB, for 10-20% more CPU. Not for everything: it costs CPU where the live heap is
 * large (`snapshot ls -o json`) and on paths with a time target (save, status, backup).
 */
export function keepHeapSmall(): void {
  setFlagsFromString('--optimize-for-size');
}

/**
 * Hot code stops at Maglev, V8's mid-tier compiler, instead of going on to TurboFan, whose
 * background compile jobs take short bursts of memory (tens of MiB of zone memory for the largest
 * functions, in glibc per-thread arenas that keep ~10 MiB of it afterwards). `snapshot ls` as a
 * table at 147k keys: peak RSS 102-125 MiB (bursts shorter than 20 ms) -> 96-101 MiB, for ~20%
 * more CPU. For commands without a time target only. (`--no-concurrent-recompilation` would keep
 * TurboFan and most of the saving, but works only on the command line.)
 */
export function noTurbofan(): void {
  setFlagsFromString('--no-turbofan');
}

/**
 * For commands with a time target. A minor GC requested while V8 is incrementally marking the
 * old generation (which external memory pressure starts often here: every Buffer counts)
 * becomes a full GC ("incremental marking forced finalization"): a 1 GiB backup did 127 full
 * GCs, 3 s of its 14.7 s main-thread time. Without incremental marking a full GC runs only when
 * one is due (21 in that backup), atomically; the pauses do not matter to a CLI. Backup: 15.3 ->
 * 11.3 s CPU, RSS +15 MiB.
 *
 * (`snapshot save` used to add a full GC whenever Buffer memory passed 24 MiB: its messages
 * waited in a write queue, were promoted, and piled up dead. Since its file sink writes each
 * message at once (core's file-sink.ts) they die young: 1 GiB peaks at 91-93 MiB either way.)
 */
export function fewerFullGcs(): void {
  setFlagsFromString('--no-incremental-marking');
}

/**
 * The settings of the commands that stream a backup through stages: `backup` (snapshot -> tar ->
 * zstd -> OpenPGP -> store) and `fetch` / `verify --key` (the same in reverse). See the two above.
 */
export function streamingPipelineGcs(): void {
  fewerFullGcs();
  noTimedMinorGcs();
}

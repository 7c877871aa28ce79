// What `lifeboat snapshot save` does once its flags are parsed; loaded on demand (see ../snapshot-save.ts).
import type { Io } from '../../io.ts';
import {
  resolveConnection,
  type SavedSnapshot,
  type SnapshotOrigin,
  saveSnapshot,
} from '../../operations/snapshot-save.ts';
import { json } from '../../output.ts';
import { fewerFullGcs } from '../../young-gc.ts';
import type { SnapshotSaveArgs } from '../snapshot-save.ts';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A progress line redrawn in place, at most ten times a second. */
function progressLine(io: Io): { update: (written: number, total: number) => void; clear: () => void } {
  if (!io.interactive) return { update: () => {}, clear: () => {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(written, total) {
      const now = Date.now();
      if (now - last < 100 && written < total) return;
      last = now;
      drawn = true;
      const rate = written / Math.max((now - started) / 1000, 0.001);
      const pct = total > 0 ? Math.floor((written / total) * 100) : 0;
      io.stderr(`\r\x1b[Ksnapshot: ${mib(written)} / ${mib(total)}  ${pct}%  ${mib(rate)}/s`);
    },
    clear() {
      if (drawn) io.stderr('\r\x1b[K');
      drawn = false;
    },
  };
}

export function summary(saved: SavedSnapshot): string {
  const from = saved.etcd
    ? ` from ${saved.etcd.endpoint} (etcd ${saved.etcd.version})`
    : ' from a raw db file';
  const revision = saved.etcd ? `, revision ${saved.etcd.revision}` : '';
  return `Snapshot saved at ${saved.file}: ${mib(saved.size)} (${saved.size} bytes)${revision}, sha256 ${saved.sha256}, ${(saved.durationMs / 1000).toFixed(2)}s${from}\n`;
}

export async function snapshotSave(args: SnapshotSaveArgs, io: Io): Promise<number> {
  fewerFullGcs();
  const origin: SnapshotOrigin = args.rawDb
    ? { kind: 'raw-db', path: args.rawDb }
    : {
        kind: 'etcd',
        connection: await resolveConnection(args.connection, io.env, args.kubernetesDir, io.signal),
      };
  const progress = progressLine(io);
  try {
    const saved = await saveSnapshot({
      file: args.file,
      origin,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress.update,
    });
    progress.clear();
    io.stdout(args.output === 'json' ? json(saved) : summary(saved));
    return 0;
  } finally {
    progress.clear();
  }
}

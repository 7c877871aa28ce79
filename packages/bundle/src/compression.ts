// Compression stages for the bundle: zstd (the default, Node's own zlib),
// gzip, or none. The output is what `tar --zstd -x` / `tar -xz` read.
import { PassThrough, pipeline, type Readable, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { type Compression, LifeboatError } from '@lifeboat/core';
import { JsZstdDecompressor } from './zstd/js-decompressor.ts';

/**
 * Default levels. zstd 1: measured with bench/compression.bench.ts on a 48 MiB
 * etcd 3.6 snapshot filled with test/infra's Kubernetes-shaped objects (2 shared
 * cores, best of 3), level 1 compresses 6.32:1 at ~630 MiB per CPU-second,
 * level 3 6.36:1 at ~450, level 9 6.42:1 at ~170, gzip -6 5.98:1 at ~160.
 * Levels above 1 buy under 2% of size for 1.4–4× the CPU, and the backup runs
 * on control-plane nodes beside etcd and kube-apiserver, under a target of
 * 1.25× a bare `etcdctl snapshot save`: CPU is the scarcer resource.
 * gzip 6 is gzip's own default, for people who expect it.
 */
export const defaultLevels = { zstd: 1, gzip: 6 } as const;

const outputChunk = 128 * 1024;

const levelRange = { zstd: [1, 19], gzip: [1, 9] } as const;

export function compressor(kind: Compression, level?: number): Transform {
  if (kind === 'none') return new PassThrough();
  const chosen = level ?? defaultLevels[kind];
  const [min, max] = levelRange[kind];
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw new LifeboatError('usage', `${kind} level ${chosen} is out of range: use ${min} to ${max}`);
  }
  // Output in 128 KiB chunks (zlib's default is 16 KiB): each chunk costs a round trip to
  // zlib's thread and a pass through every later stage.
  if (kind === 'gzip') return zlib.createGzip({ level: chosen, chunkSize: outputChunk });
  if (!hasNativeZstd()) {
    throw new LifeboatError(
      'usage',
      `Node ${process.version} has no zstd compression (it came in 22.15): use --compression gzip, or Node 24`,
    );
  }
  return zlib.createZstdCompress({
    chunkSize: outputChunk,
    params: {
      [zlib.constants.ZSTD_c_compressionLevel]: chosen,
      // A per-frame checksum, so `zstd -t` and every decompressor detect damage.
      [zlib.constants.ZSTD_c_checksumFlag]: 1,
    },
  });
}

export function decompressor(kind: Compression): Transform {
  switch (kind) {
    case 'none':
      return new PassThrough();
    // 128 KiB output chunks here too: a restore inflates ~7× (1 GiB out of 150 MiB), and at
    // zlib's 16 KiB that is 65k round trips per GiB, each a pass through tar, sha256 and the file.
    case 'gzip':
      return zlib.createGunzip({ chunkSize: outputChunk });
    case 'zstd':
      return hasNativeZstd()
        ? zlib.createZstdDecompress({ chunkSize: outputChunk })
        : new JsZstdDecompressor();
    default:
      throw new LifeboatError('usage', `unknown compression ${JSON.stringify(kind)}: use zstd, gzip or none`);
  }
}

/**
 * Whether this Node's zlib has zstd (22.15+, 23.8+). Read at each call, so
 * tests can take it away; the namespace import keeps a missing export from
 * failing at load time.
 */
export function hasNativeZstd(): boolean {
  return typeof (zlib as Partial<typeof zlib>).createZstdDecompress === 'function';
}

/** The file name suffix tar and people expect: `.tar.zst`, `.tar.gz`, `.tar`. */
export function tarSuffix(kind: Compression): string {
  return { zstd: '.tar.zst', gzip: '.tar.gz', none: '.tar' }[kind];
}

/** `source` decompressed, as one Readable: a failure on either side destroys both. */
export function decompressed(source: Readable, kind: Compression): Readable {
  if (kind === 'none') return source;
  return pipeline(source, decompressor(kind), () => {});
}

/** zlib's errors (Z_DATA_ERROR, ZSTD_error_*, …) as an 'integrity' error a person can act on. */
export function compressionError(err: unknown, kind: Compression): unknown {
  const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? '');
  if (!/^(Z_|ZSTD_)/.test(code)) return err;
  return new LifeboatError(
    'integrity',
    `the ${kind} data is damaged or truncated (${(err as Error).message}): the archive is corrupt or incomplete`,
    { cause: err },
  );
}

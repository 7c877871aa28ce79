// Reads a bundle entry by entry, digesting every file as it flows, and at the
// end proves the whole archive against lifeboat/manifest.json (which must be
// its last entry). `verifyBundle` and `unpack` are this loop with different
// things done to each entry.
import { pipeline, Readable } from 'node:stream';
import { type Compression, LifeboatError } from '@lifeboat/core';
import { compressionError, decompressed } from './compression.ts';
import { DigestStream } from './digest.ts';
import { describeEntry, type Manifest, manifestPath, maxManifestSize, parseManifest } from './manifest.ts';
import { ManifestVerifier } from './manifest-verifier.ts';
import { readTar } from './tar/reader.ts';
import type { TarHeader } from './tar/types.ts';

export interface ReadBundleOptions {
  signal?: AbortSignal;
  /** How `source` is compressed; default 'none' (a plain tar stream). */
  compression?: Compression;
}

export interface BundleSummary {
  manifest: Manifest;
  /** Regular files and their bytes, the snapshot and the manifest included. */
  files: number;
  bytes: number;
}

/**
 * Handles one entry. A file's body must be read to its end or left alone
 * (what is left is drained); the digest is taken as it flows.
 */
export type EntryHandler = (header: TarHeader, body: Readable) => Promise<void>;

export async function readBundle(
  source: Readable,
  options: ReadBundleOptions,
  onEntry: EntryHandler,
): Promise<BundleSummary> {
  const compression = options.compression ?? 'none';
  const verifier = new ManifestVerifier();
  let manifest: Manifest | undefined;
  let files = 0;
  let bytes = 0;
  try {
    for await (const { header, body } of readTar(decompressed(source, compression), {
      signal: options.signal,
    })) {
      if (manifest) {
        throw new LifeboatError(
          'integrity',
          `the bundle has ${JSON.stringify(header.path)} after ${manifestPath}, which must come last: it is damaged or was not written by lifeboat`,
        );
      }
      if (header.path === manifestPath && header.type === 'file') {
        const data = await collect(body, header.size);
        manifest = parseManifest(data, manifestPath);
        await onEntry(header, Readable.from([data]));
      } else if (header.type === 'file') {
        const digest = new DigestStream();
        const flowing = pipeline(body, digest, () => {});
        await onEntry(header, flowing);
        // A handler that did not read the body still gets it checked.
        if (!digest.readableEnded) flowing.resume();
        verifier.record(describeEntry(header, await digest.digest));
      } else {
        // Throws for devices, FIFOs, hard links: a bundle never holds them.
        verifier.record(describeEntry(header));
        await onEntry(header, body);
      }
      if (header.type === 'file') {
        files++;
        bytes += header.size;
      }
    }
  } catch (err) {
    throw compressionError(err, compression);
  }
  if (!manifest) {
    throw new LifeboatError(
      'integrity',
      `the bundle has no ${manifestPath}: it is truncated or was not written by lifeboat`,
    );
  }
  verifier.check(manifest);
  return { manifest, files, bytes };
}

/** Reads a whole bundle and checks every file against its manifest, keeping nothing. */
export function verifyBundle(source: Readable, options: ReadBundleOptions = {}): Promise<BundleSummary> {
  return readBundle(source, options, async () => {});
}

async function collect(body: Readable, size: number): Promise<Buffer> {
  if (size > maxManifestSize) {
    throw new LifeboatError(
      'integrity',
      `${manifestPath} claims ${size} bytes: the bundle is damaged or was not written by lifeboat`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Decrypts a backup into a file that appears only once it is proven whole and
// authentic. The plaintext streams into `<dest>.partial` (0600: it holds CA
// keys), which is renamed into place after the stream ended cleanly, the
// integrity check passed and the expected signature verified; on any failure
// the partial file is deleted, so `dest` never holds unverified bytes.
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { LifeboatError } from '@lifeboat/core';
import { type DecryptResult, type DecryptStreamOptions, decryptStream } from './decrypt.ts';

export interface DecryptToFileOptions extends DecryptStreamOptions {
  /** Replaced atomically if it exists; its folder must exist. */
  dest: string;
}

function ioError(err: unknown, action: string, path: string): LifeboatError {
  if (err instanceof LifeboatError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new LifeboatError('io', `cannot ${action} ${path}: ${detail}`, { cause: err });
}

export async function decryptToFile(options: DecryptToFileOptions): Promise<DecryptResult> {
  const { dest } = options;
  const partial = `${dest}.partial`;
  const { data, verified } = await decryptStream(options);
  let handle: FileHandle;
  try {
    await rm(partial, { force: true }); // left by a crashed run; 'wx' below must create it anew
    handle = await open(partial, 'wx', 0o600);
  } catch (err) {
    data.destroy();
    options.input.destroy();
    throw ioError(err, 'create', partial);
  }
  // flush: fsync before close, so the rename never shows a file whose bytes are still in flight.
  const file = handle.createWriteStream({ flush: true });
  let writeError: unknown;
  file.once('error', (err) => {
    writeError = err;
  });
  try {
    await pipeline(data, file); // `data` ends only after every check passed
    const result = await verified;
    await rename(partial, dest).catch((err) => {
      throw ioError(err, 'rename into place', dest);
    });
    return result;
  } catch (err) {
    await handle.close().catch(() => {}); // usually closed by the stream already
    await rm(partial, { force: true });
    // A failed write (disk full) stops the decryption too; report the cause, not the stop.
    throw writeError === undefined ? err : ioError(writeError, 'write', partial);
  }
}

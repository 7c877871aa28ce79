// Streaming tar reader: an async iterator of entries, each with its header
// and a body stream, reading ustar, pax (local and global) and GNU long names.
// Memory stays at one incoming chunk whatever the entry sizes. Every header's
// checksum is validated; truncation and corruption are 'integrity' errors
// saying where the archive broke.
import { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { abortedError } from '../streams/aborted.ts';
import { ByteSource, truncated } from './byte-source.ts';
import { applyPax, decodeHeader, isZeroBlock, normalizeHeader } from './decode-header.ts';
import { decodePax, type PaxRecords } from './pax.ts';
import { blockSize, paddingOf, type TarHeader } from './types.ts';

export interface TarEntry {
  header: TarHeader;
  /**
   * The entry's content (empty for anything but files). Read it, or not,
   * before asking for the next entry: what is left unread is skipped then,
   * and the body is closed.
   */
  body: Readable;
  /** Where the entry's header starts in the archive. */
  offset: number;
}

export interface ReadTarOptions {
  signal?: AbortSignal;
}

/** pax and GNU long-name records are held in memory: a bound against hostile archives. */
const maxMetaSize = 1024 * 1024;

export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  options: ReadTarOptions = {},
): AsyncGenerator<TarEntry, void, undefined> {
  const { signal } = options;
  const bytes = new ByteSource(source);
  let body: EntryBody | undefined;
  let done = false;
  const onAbort = () => {
    const reason = abortedError(signal, 'reading the archive');
    body?.destroy(reason);
    // Unblocks a read waiting on a stalled source.
    const destroy = (source as { destroy?: (err: Error) => void }).destroy;
    if (typeof destroy === 'function') destroy.call(source, reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw abortedError(signal, 'reading the archive');
    const global: PaxRecords = new Map();
    let local: PaxRecords | undefined;
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const offset = bytes.offset;
      const block = await bytes.readExact(blockSize, () => 'a tar header');
      if (!block) {
        throw new LifeboatError(
          'integrity',
          `the archive ends at byte ${offset} without its end-of-archive marker: it is truncated`,
        );
      }
      if (isZeroBlock(block)) {
        // The end marker (GNU tar pads it further with zeros): read the rest so
        // upstream stages (decompression, decryption) finish their own checks.
        await bytes.drain();
        done = true;
        return;
      }
      const raw = decodeHeader(block, offset);
      if ('xgLK'.includes(raw.typeflag)) {
        const data = await readMeta(bytes, raw.header.size, raw.typeflag, offset);
        if (raw.typeflag === 'x')
          local = new Map([...(local ?? []), ...decodePax(data, `at byte ${offset}`)]);
        else if (raw.typeflag === 'g')
          for (const [k, v] of decodePax(data, `at byte ${offset}`)) global.set(k, v);
        else if (raw.typeflag === 'L') longName = cString(data);
        else longLink = cString(data);
        continue;
      }
      const header = raw.header;
      applyPax(header, global, offset);
      if (local) applyPax(header, local, offset);
      if (longName !== undefined) header.path = longName;
      if (longLink !== undefined) header.linkname = longLink;
      local = longName = longLink = undefined;
      normalizeHeader(header);

      body = new EntryBody(bytes, header.size, `the content of ${JSON.stringify(header.path)}`);
      yield { header, body, offset };
      await body.finish();
      body = undefined;
      if (!(await bytes.skip(paddingOf(header.size)))) {
        throw truncated(`the padding after ${JSON.stringify(header.path)}`, bytes.offset);
      }
    }
  } catch (err) {
    const error = signal?.aborted ? abortedError(signal, 'reading the archive') : err;
    body?.destroy(error as Error);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Stopped early (error, or the consumer broke out): release the source.
    if (!done) {
      body?.destroy();
      await bytes.close().catch(() => {});
    }
  }
}

async function readMeta(bytes: ByteSource, size: number, typeflag: string, offset: number): Promise<Buffer> {
  if (size > maxMetaSize) {
    throw new LifeboatError(
      'integrity',
      `the tar extended header at byte ${offset} claims ${size} bytes: the archive is damaged or hostile`,
    );
  }
  const what = () => `the extended header (type ${typeflag}) at byte ${offset}`;
  const data = (await bytes.readExact(size, what)) ?? Buffer.alloc(0);
  if (data.length < size) throw truncated(what(), bytes.offset);
  if (!(await bytes.skip(paddingOf(size)))) throw truncated(what(), bytes.offset);
  return data;
}

function cString(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString('utf8', 0, end === -1 ? data.length : end);
}

/** An entry's content, pulled from the archive as the consumer reads it. */
class EntryBody extends Readable {
  #bytes: ByteSource;
  #remaining: number;
  #what: string;
  #reading: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(bytes: ByteSource, size: number, what: string) {
    super();
    this.#bytes = bytes;
    this.#remaining = size;
    this.#what = what;
  }

  override _read(): void {
    if (this.#remaining === 0) {
      this.push(null);
      return;
    }
    this.#reading = this.#bytes
      .readSome(this.#remaining)
      .then((chunk) => {
        if (!chunk) throw truncated(this.#what, this.#bytes.offset);
        this.#remaining -= chunk.length;
        this.push(chunk);
        if (this.#remaining === 0) this.push(null);
      })
      .catch((err: unknown) => {
        this.#failure = err;
        this.destroy(err as Error);
      });
  }

  /** Called by the reader before the next header: skips what was not read. */
  async finish(): Promise<void> {
    await this.#reading;
    if (this.#failure !== undefined) throw this.#failure;
    const left = this.#remaining;
    this.#remaining = 0;
    if (left > 0) {
      this.destroy();
      if (!(await this.#bytes.skip(left))) throw truncated(this.#what, this.#bytes.offset);
    }
  }
}

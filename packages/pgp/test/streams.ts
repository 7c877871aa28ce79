// Helpers for the streaming tests: inputs fed in chunks, outputs collected,
// and messages made with encryptStream itself.
import { Readable } from 'node:stream';
import type * as openpgp from 'openpgp';
import { encryptionProfile, encryptStream } from '../src/index.ts';

/** A stream of `data` in `size`-byte chunks. */
export function chunked(data: Uint8Array, size = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(Buffer.from(data.subarray(at, at + size)));
  return Readable.from(chunks, { objectMode: false });
}

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A binary message of `data` encrypted to `to`, signed by `signer` when given. */
export async function encrypted(
  data: Uint8Array,
  to: openpgp.PublicKey[],
  signer?: openpgp.PrivateKey,
): Promise<Buffer> {
  const recipients = to.map((key) => ({ key }));
  return collect(
    encryptStream({
      input: chunked(data),
      recipients,
      signingKey: signer ? { key: signer } : undefined,
      profile: await encryptionProfile(recipients),
    }),
  );
}

/** The error a stream fails with; fails the test when it ends cleanly. */
export async function streamError(stream: Readable): Promise<Error> {
  try {
    await collect(stream);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the stream to fail, but it ended cleanly');
}

export interface OuterPacket {
  tag: number;
  /** Offset of each body chunk's end: more than one for partial-length packets. */
  chunkEnds: number[];
}

/**
 * The outer packets of a whole message, read the plain way (new-format
 * headers only, as openpgp.js and GnuPG write them), to find places to cut.
 */
export function outerPackets(message: Uint8Array): OuterPacket[] {
  const packets: OuterPacket[] = [];
  let at = 0;
  while (at < message.length) {
    const header = message[at++]!;
    if ((header & 0xc0) !== 0xc0) throw new Error(`not a new-format header at ${at - 1}`);
    const packet: OuterPacket = { tag: header & 0x3f, chunkEnds: [] };
    let partial = true;
    while (partial) {
      const first = message[at++]!;
      let length: number;
      partial = first >= 224 && first < 255;
      if (first < 192) length = first;
      else if (first < 224) length = ((first - 192) << 8) + message[at++]! + 192;
      else if (partial) length = 2 ** (first & 0x1f);
      else {
        length = Buffer.from(message.subarray(at, at + 4)).readUInt32BE();
        at += 4;
      }
      at += length;
      packet.chunkEnds.push(at);
    }
    packets.push(packet);
  }
  return packets;
}

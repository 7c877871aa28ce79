// PooledUpload's protocol and its buffer pool, against a recording `send`.
// The same class runs against MinIO in test/e2e/stores-s3.test.ts (Object
// Lock, SSE, failures mid-upload); here: part boundaries, reuse of buffers,
// the in-flight bound and failures, which a real server cannot show.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { maxParts, PooledUpload, type UploadCommand } from '../src/s3-upload.ts';

interface Sent {
  name: string;
  input: Record<string, unknown>;
  /** The body's bytes when the command was sent. */
  bytes?: Buffer;
}

function recorder(options: { failPart?: number; delayMs?: number } = {}) {
  const sent: Sent[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const overwritten: number[] = [];
  const send = async (command: UploadCommand): Promise<unknown> => {
    const input = command.input as unknown as Record<string, unknown>;
    const body = input['Body'] as Buffer | undefined;
    const entry: Sent = { name: command.constructor.name, input };
    if (body) entry.bytes = Buffer.from(body);
    sent.push(entry);
    if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'upload-1' };
    if (command instanceof UploadPartCommand) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await sleep(options.delayMs ?? 1);
        // The buffer must not be refilled while its part is being sent.
        if (!body!.equals(entry.bytes!)) overwritten.push(input['PartNumber'] as number);
        if (input['PartNumber'] === options.failPart) throw new Error('part refused');
        return { ETag: `"etag-${input['PartNumber']}"`, ChecksumCRC32: `crc-${input['PartNumber']}` };
      } finally {
        inFlight--;
      }
    }
    return {};
  };
  return { send, sent, overwritten, maxInFlight: () => maxInFlight };
}

async function* chunked(data: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield data.subarray(at, at + n);
    at += n;
  }
}

const params = { Bucket: 'b', Key: 'k', ContentType: 'application/octet-stream' };

function upload(
  body: AsyncIterable<Uint8Array>,
  send: (c: UploadCommand) => Promise<unknown>,
  extra: { partSize?: number; queueSize?: number; checksum?: boolean; algorithm?: 'SHA256' } = {},
) {
  return new PooledUpload({
    send,
    checksumWhenSupported: async () => extra.checksum ?? true,
    params: extra.algorithm ? { ...params, ChecksumAlgorithm: extra.algorithm } : params,
    body,
    partSize: extra.partSize ?? 1000,
    queueSize: extra.queueSize ?? 2,
  });
}

describe('PooledUpload', () => {
  it('puts a body that fits one part as one PutObject, also when it fills the part exactly', async () => {
    for (const size of [0, 1, 999, 1000]) {
      const data = randomBytes(size);
      const { send, sent } = recorder();
      const up = upload(chunked(data, [7, 300]), send);
      await up.done();
      expect(sent.map((s) => s.name)).toEqual(['PutObjectCommand']);
      expect(sent[0]!.bytes!.equals(data)).toBe(true);
      expect(sent[0]!.input['ContentLength']).toBe(size);
      expect(sent[0]!.input['ContentType']).toBe('application/octet-stream');
      expect(up.uploadId).toBeUndefined();
    }
  });

  it('cuts larger bodies into parts of partSize, in order, and completes with every ETag and checksum', async () => {
    const data = randomBytes(3 * 1000 + 123);
    const { send, sent } = recorder();
    const up = upload(chunked(data, [333, 1, 2048, 17]), send);
    await up.done();
    const names = sent.map((s) => s.name);
    expect(names[0]).toBe('CreateMultipartUploadCommand');
    expect(names.at(-1)).toBe('CompleteMultipartUploadCommand');
    const parts = sent.filter((s) => s.name === 'UploadPartCommand');
    expect(parts.map((p) => p.bytes!.length)).toEqual([1000, 1000, 1000, 123]);
    const ordered = [...parts].sort(
      (a, b) => (a.input['PartNumber'] as number) - (b.input['PartNumber'] as number),
    );
    expect(Buffer.concat(ordered.map((p) => p.bytes!)).equals(data)).toBe(true);
    expect(parts.every((p) => p.input['UploadId'] === 'upload-1')).toBe(true);
    const complete = sent.at(-1)!.input as { MultipartUpload: { Parts: unknown[] }; UploadId: string };
    expect(complete.UploadId).toBe('upload-1');
    expect(complete.MultipartUpload.Parts).toEqual(
      [1, 2, 3, 4].map((n) => ({ PartNumber: n, ETag: `"etag-${n}"`, ChecksumCRC32: `crc-${n}` })),
    );
    expect(up.uploadId).toBe('upload-1');
  });

  it("names the client's default checksum when creating the upload, and the caller's own on every part", async () => {
    const data = randomBytes(2500);
    const defaults = recorder();
    await upload(chunked(data, [500]), defaults.send).done();
    expect(defaults.sent[0]!.input['ChecksumAlgorithm']).toBe('CRC32');

    const required = recorder();
    await upload(chunked(data, [500]), required.send, { checksum: false }).done();
    expect(required.sent[0]!.input['ChecksumAlgorithm']).toBeUndefined();

    const chosen = recorder();
    await upload(chunked(data, [500]), chosen.send, { algorithm: 'SHA256' }).done();
    expect(chosen.sent[0]!.input['ChecksumAlgorithm']).toBe('SHA256');
    const parts = chosen.sent.filter((s) => s.name === 'UploadPartCommand');
    expect(parts.every((p) => p.input['ChecksumAlgorithm'] === 'SHA256')).toBe(true);
  });

  it('reuses at most queueSize + 1 part buffers, never refilling one in flight, with at most queueSize sending', async () => {
    const data = randomBytes(20 * 1000 + 1);
    const { send, sent, overwritten, maxInFlight } = recorder({ delayMs: 3 });
    const bodies = new Set<ArrayBufferLike>();
    const watching = async (command: UploadCommand) => {
      if (command instanceof UploadPartCommand) bodies.add((command.input.Body as Buffer).buffer);
      return send(command);
    };
    await upload(chunked(data, [64, 4096]), watching, { queueSize: 2 }).done();
    expect(sent.filter((s) => s.name === 'UploadPartCommand')).toHaveLength(21);
    expect(bodies.size).toBeLessThanOrEqual(3);
    expect(overwritten).toEqual([]);
    expect(maxInFlight()).toBe(2);
  });

  it('fails with the first failed part, after the other parts settled, and never completes', async () => {
    const data = randomBytes(10 * 1000);
    const { send, sent } = recorder({ failPart: 3, delayMs: 2 });
    let settled = 0;
    const counting = (command: UploadCommand) =>
      send(command).finally(() => {
        settled++;
      });
    const up = upload(chunked(data, [1000]), counting, { queueSize: 3 });
    await expect(up.done()).rejects.toThrow('part refused');
    expect(settled).toBe(sent.length);
    expect(sent.some((s) => s.name === 'CompleteMultipartUploadCommand')).toBe(false);
    expect(up.uploadId).toBe('upload-1'); // for the caller's AbortMultipartUpload
  });

  it("fails with the body's own error and sends no completion", async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield randomBytes(2500);
      throw new Error('etcd went away');
    }
    const { send, sent } = recorder();
    await expect(upload(broken(), send).done()).rejects.toThrow('etcd went away');
    expect(
      sent.some((s) => s.name === 'CompleteMultipartUploadCommand' || s.name === 'PutObjectCommand'),
    ).toBe(false);
  });

  it(`refuses a body needing more than ${maxParts} parts, naming the part size`, async () => {
    const { send, sent } = recorder({ delayMs: 0 });
    const up = upload(chunked(Buffer.alloc(maxParts + 1), [4096]), send, { partSize: 1, queueSize: 64 });
    await expect(up.done()).rejects.toThrow(/more than 10000 parts of 1 bytes: raise the S3 part size/);
    expect(sent.some((s) => s.name === 'CompleteMultipartUploadCommand')).toBe(false);
  });
});

// The ring of blocks a trailer worker shares with a walk: the writer's source
// text runs here, on one thread, so each case is deterministic.
import { describe, expect, it } from 'vitest';
import {
  dataOffset,
  SharedBlocks,
  sharedBlockSize,
  sharedBlocksWriterSource,
} from '../src/bbolt/shared-blocks.ts';

type Fill = (index: number, length: number, read: (view: Buffer) => number) => Buffer;

function writerFor(blocks: SharedBlocks): Fill {
  const make = new Function(`${sharedBlocksWriterSource}; return sharedBlocksWriter;`)() as (
    buffer: SharedArrayBuffer,
    slots: number,
    blockSize: number,
    dataOffset: number,
  ) => Fill;
  return make(blocks.buffer, blocks.slots, sharedBlockSize, dataOffset(blocks.slots));
}

/** Block `index` of a made-up file: each byte a function of its position. */
function pattern(index: number, view: Buffer): number {
  for (let i = 0; i < view.length; i++) view[i] = (index * 7 + i * 13 + (i >>> 11)) & 0xff;
  return view.length;
}

const expected = (index: number, from: number, to: number) => {
  const whole = Buffer.alloc(sharedBlockSize);
  pattern(index, whole);
  return whole.subarray(from, to);
};

describe('SharedBlocks', () => {
  it('copies a published block, whole or a range, to any place in the target', () => {
    const blocks = new SharedBlocks(16);
    const fill = writerFor(blocks);
    for (let index = 0; index < 3; index++) fill(index, sharedBlockSize, (v) => pattern(index, v));
    const target = Buffer.alloc(sharedBlockSize + 100);
    expect(blocks.copy(1, target, 100, 0, sharedBlockSize)).toBe(true);
    expect(target.subarray(100).equals(expected(1, 0, sharedBlockSize))).toBe(true);
    expect(blocks.copy(2, target, 0, 4096, 12288)).toBe(true);
    expect(target.subarray(0, 8192).equals(expected(2, 4096, 12288))).toBe(true);
  });

  it('refuses blocks overwritten, far ahead, or never coming, without waiting long', () => {
    const blocks = new SharedBlocks(16);
    const fill = writerFor(blocks);
    const target = Buffer.alloc(sharedBlockSize);
    // The walk keeps up (the writer paces itself on it), so the writer laps block 0's slot.
    for (let index = 0; index < 20; index++) {
      fill(index, sharedBlockSize, (v) => pattern(index, v));
      expect(blocks.copy(index, target, 0, 0, 16)).toBe(true);
    }
    expect(blocks.copy(0, target, 0, 0, 16)).toBe(false); // slot 0 now holds block 16
    expect(blocks.copy(16, target, 0, 0, 16)).toBe(true);
    expect(blocks.copy(1000, target, 0, 0, 16)).toBe(false); // a jump far ahead: read it yourself
    blocks.stop();
    const started = performance.now();
    expect(blocks.copy(20, target, 0, 0, 16)).toBe(false); // the reader is gone
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('publishes a block only when it was read whole (a file that shrank)', () => {
    const blocks = new SharedBlocks(16);
    const fill = writerFor(blocks);
    fill(0, sharedBlockSize, (v) => pattern(0, v));
    const short = fill(1, sharedBlockSize, (v) => pattern(1, v.subarray(0, 100)));
    expect(short.length).toBe(100);
    blocks.stop();
    expect(blocks.copy(1, Buffer.alloc(16), 0, 0, 16)).toBe(false);
    expect(blocks.copy(0, Buffer.alloc(16), 0, 0, 16)).toBe(true);
  });

  it('gives up on a reader that does not move', () => {
    const blocks = new SharedBlocks(16);
    const started = performance.now();
    // Block 0 is what the reader fills next: worth a wait, until the reader is deemed stuck.
    expect(blocks.copy(0, Buffer.alloc(16), 0, 0, 16)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    // And not again: a reader that slow is not worth waiting for at every block.
    const again = performance.now();
    expect(blocks.copy(1, Buffer.alloc(16), 0, 0, 16)).toBe(false);
    expect(performance.now() - again).toBeLessThan(50);
  });
});

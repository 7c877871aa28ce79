import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../src/index.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lifeboat-diff-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const names = { from: 'a/f', to: 'b/f' };

/** GNU diff -u's hunks (without its timestamped header lines). */
function gnuDiff(dir: string): string {
  const run = spawnSync('bash', ['-c', 'diff -u "$0" "$1" | tail -n +3', join(dir, 'a'), join(dir, 'b')], {
    encoding: 'utf8',
  });
  return run.stdout;
}

async function applies(before: string, after: string, i: number): Promise<void> {
  const file = join(scratch, `p${i}`);
  await writeFile(file, before);
  const diff = unifiedDiff(before, after, names);
  const run = spawnSync('patch', ['--quiet', '--force', file], { input: diff, encoding: 'utf8' });
  expect(run.status, `${run.stderr}\n${diff}`).toBe(0);
  expect(await readFile(file, 'utf8')).toBe(after);
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', names)).toBe('');
  });

  it.each([
    ['one changed line', 'a\nb\nc\n', 'a\nB\nc\n'],
    ['an insertion', '1\n2\n3\n4\n5\n6\n7\n8\n9\n', '1\n2\n3\n4\nnew\n5\n6\n7\n8\n9\n'],
    ['a deletion at the start', 'x\n1\n2\n3\n4\n5\n', '1\n2\n3\n4\n5\n'],
    ['a deletion at the end', '1\n2\n3\n4\n5\nx\n', '1\n2\n3\n4\n5\n'],
    [
      'two distant changes',
      Array.from({ length: 30 }, (_, i) => `${i}\n`).join(''),
      Array.from({ length: 30 }, (_, i) => (i === 3 || i === 25 ? `${i}!\n` : `${i}\n`)).join(''),
    ],
    [
      'two near changes sharing a hunk',
      Array.from({ length: 30 }, (_, i) => `${i}\n`).join(''),
      Array.from({ length: 30 }, (_, i) => (i === 10 || i === 16 ? `${i}!\n` : `${i}\n`)).join(''),
    ],
    ['from empty', '', 'a\nb\n'],
    ['to empty', 'a\nb\n', ''],
  ])('matches GNU diff -u for %s', async (_, a, b) => {
    const dir = await mkdtemp(join(scratch, 'gnu-'));
    await writeFile(join(dir, 'a'), a);
    await writeFile(join(dir, 'b'), b);
    expect(unifiedDiff(a, b, names).split('\n').slice(2).join('\n')).toBe(gnuDiff(dir));
  });

  it('marks a missing newline at the end of either side, as diff -u does', async () => {
    const dir = await mkdtemp(join(scratch, 'gnu-'));
    const a = 'a\nb\nc';
    const b = 'a\nb\nC';
    await writeFile(join(dir, 'a'), a);
    await writeFile(join(dir, 'b'), b);
    const ours = unifiedDiff(a, b, names);
    expect(ours).toContain('\\ No newline at end of file');
    expect(ours.split('\n').slice(2).join('\n')).toBe(gnuDiff(dir));
    await applies(a, b, -1);
    await applies('a\nb\n', 'a\nb', -2);
  });

  it('produces patches that patch(1) applies, for 200 random edits', async () => {
    let seed = 0x1ed17;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['alpha', 'beta', 'gamma', 'delta', '  - x', '#', '', 'status: {}'];
    for (let i = 0; i < 200; i++) {
      const before = Array.from({ length: 1 + next(40) }, () => words[next(words.length)]!);
      const after = [...before];
      for (let e = next(6); e >= 0; e--) {
        const at = next(after.length + 1);
        const op = next(3);
        if (op === 0) after.splice(at, 0, `new ${next(100)}`);
        else if (op === 1) after.splice(at, 1);
        else after.splice(at, 1, `changed ${next(100)}`);
      }
      await applies(`${before.join('\n')}\n`, `${after.join('\n')}\n`, i);
    }
  });
});

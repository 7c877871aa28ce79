// The off-heap rows behind the `snapshot ls` table: rows come back whole, in the byte order of
// their keys (as Buffer.compare, etcd's order), across chunk boundaries, with shared strings,
// numbers and key-suffix cells decoded to exactly what was added.
import { describe, expect, it } from 'vitest';
import { type Cell, RowArena } from '../src/operations/row-arena.ts';

/** A reproducible generator (mulberry32): failures can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function listed(arena: RowArena): string[][] {
  arena.sort();
  return [...arena.rows()];
}

/** Rows as the arena gives them back: cells as text, then the key. */
function expected(rows: [string, Cell[]][]): string[][] {
  return [...rows].sort(([a], [b]) => byBytes(a, b)).map(([key, cells]) => [...cells.map(String), key]);
}

describe('RowArena', () => {
  it('sorts by key bytes: prefixes first, NUL and 0xff bytes, astral after private use', () => {
    const keys = [
      '/k/\u{1F600}',
      '/k/\uE000',
      '/k/a',
      '/k/',
      '/k/ab',
      '/k/\u00e9',
      '/k/a\0',
      '/k/a\0b',
      '',
      '\0',
      '/k/\u07ff',
      '/k/\u0800',
      '/k/\uffff',
      'z',
    ];
    const arena = new RowArena({ cells: 1 });
    for (const key of keys) arena.add(key, [key.length]);
    expect(listed(arena).map((row) => row.at(-1))).toEqual([...keys].sort(byBytes));
  });

  it('matches a reference sort on random keys with long shared prefixes, across many small chunks', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const alphabet = ['a', 'b', '/', '\0', '\u00ff', '\u0100', '\uE000', '\u{1F600}', 'é'];
      const prefixes = ['', '/registry/', '/registry/configmaps/team-0', 'x'.repeat(300)];
      const rows: [string, Cell[]][] = [];
      const seen = new Set<string>();
      while (rows.length < 1500) {
        let key = prefixes[Math.floor(next() * prefixes.length)]!;
        const length = Math.floor(next() * 8);
        for (let i = 0; i < length; i++) key += alphabet[Math.floor(next() * alphabet.length)]!;
        if (seen.has(key)) continue;
        seen.add(key);
        const name = key.slice(key.lastIndexOf('/') + 1);
        rows.push([
          key,
          [name, Math.floor(next() * 2 ** 53), `ns-${rows.length % 5}`, name === '' ? '-' : `x${name}`],
        ]);
      }
      const arena = new RowArena({ cells: 4, shared: [2], chunkSize: 4096 });
      for (const [key, cells] of rows) arena.add(key, cells);
      expect(arena.size).toBe(rows.length);
      expect(arena.bytes).toBeGreaterThan(4096 * 10); // many chunks
      expect(listed(arena)).toEqual(expected(rows));
    }
  });

  it('sorts keys that are all equal but for their last byte, and sorted or reversed input', () => {
    const base = 'p'.repeat(1000);
    const keys = Array.from({ length: 1000 }, (_, i) => `${base}${String(i).padStart(4, '0')}`);
    for (const order of [keys, [...keys].reverse()]) {
      const arena = new RowArena({ cells: 0, chunkSize: 64 * 1024 });
      for (const key of order) arena.add(key, []);
      expect(listed(arena).map((row) => row[0])).toEqual(keys);
    }
  });

  it('puts a key before the same key followed by NUL bytes, and keeps duplicate keys, in large groups', () => {
    const next = random(7);
    const keys: string[] = [];
    for (let i = 0; i < 800; i++)
      keys.push(`/p/${i % 50}`, `/p/${i % 50}\0`, `/p/${i % 50}\0\0`, `/p/${i % 50}\x01`);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const arena = new RowArena({ cells: 0 });
    for (const key of keys) arena.add(key, []);
    expect(listed(arena).map((row) => row[0])).toEqual([...keys].sort(byBytes));
  });

  it('keeps rows larger than a chunk whole, and every kind of cell exact', () => {
    const big = `/registry/secrets/ns/${'n'.repeat(10_000)}`;
    const rows: [string, Cell[]][] = [
      [big, ['n'.repeat(10_000), 0, 'secrets', '']],
      ['/registry/a/\u{1F600}', ['\u{1F600}', 2 ** 53 - 1, 'a', 'é\0x']],
      ['/registry/b/suffix', ['fix', 127, 'b', 'suffix']],
      ['/registry/b/\ufffd', ['\ufffd', 128, 'b', '/registry/b/\ufffd']],
    ];
    const arena = new RowArena({ cells: 4, shared: [2], chunkSize: 1024 });
    for (const [key, cells] of rows) arena.add(key, cells);
    expect(listed(arena)).toEqual(expected(rows));
  });

  it('stores a repeated string once and a name that ends the key as a reference to it', () => {
    const plain = new RowArena({ cells: 2 });
    const compact = new RowArena({ cells: 2, shared: [0] });
    const rows: [string, Cell[]][] = [];
    for (let i = 0; i < 1000; i++) {
      const key = `/registry/configmaps/team-${i % 7}/config-${i}`;
      rows.push([key, [`team-${i % 7}`, `config-${i}`]]);
      plain.add(key, [`team-${i % 7}`, `other-${i}`]);
      compact.add(key, [`team-${i % 7}`, `config-${i}`]);
    }
    // A shared id and a suffix reference take 1 + 2 bytes, the same cells as text 2 + 6 and 2 + ~9.
    expect(compact.rowBytes).toBeLessThan(plain.rowBytes - 1000 * 12);
    // Key (~37 bytes) and its length, 3 bytes of cells.
    expect(compact.rowBytes / 1000).toBeLessThan(42);
    expect(listed(compact)).toEqual(expected(rows));
  });

  it('refuses rows with the wrong number of cells, and rows after sorting', () => {
    const arena = new RowArena({ cells: 1 });
    expect(() => arena.add('a', [])).toThrow(/0 cells, expected 1/);
    arena.add('a', ['x']);
    arena.sort();
    expect(() => arena.add('b', ['y'])).toThrow(/after sort/);
  });
});

// The two meta pages at the start of a bbolt file, and the choice between them
// exactly as bbolt makes it: the page size comes from meta 0 if it is valid,
// else from the first valid meta 1 found at 1 KiB..16 MiB; then the valid meta
// with the higher txid wins, the other one is the fallback.
import { damaged, pageWhere } from './damage.ts';
import { fnv1a64 } from './fnv1a64.ts';
import {
  dataView,
  formatVersion,
  magic,
  metaChecksumOffset,
  metaOffset,
  metaSize,
  noFreelist,
  PageFlag,
  pageTypeName,
  u64,
} from './layout.ts';
import type { PageFile } from './page-file.ts';

export interface Meta {
  /** Which meta page (0 or 1) this is. */
  page: 0 | 1;
  pageSize: number;
  flags: number;
  /** Root page of the root bucket (holds the top-level buckets). */
  root: number;
  /** The freelist page, or undefined when the freelist is not persisted (etcd). */
  freelist: number | undefined;
  /** High-water mark: the number of pages the db uses. */
  pgid: number;
  txid: bigint;
  checksum: bigint;
}

export interface MetaChoice {
  meta: Meta;
  /** Set when one meta page was unusable and bbolt would fall back as we did. */
  warning?: string;
}

type Parsed = { meta: Meta } | { problem: string };

const minPageSize = 1024;
const maxPageSize = 1 << 24;

/** Validates a meta page as bbolt does (magic, version, checksum) plus a sane page size. */
export function parseMeta(bytes: Uint8Array, page: 0 | 1): Parsed {
  if (bytes.length < metaOffset + metaSize) return { problem: 'too short to hold a meta page' };
  const view = dataView(bytes);
  const m = metaOffset;
  if (view.getUint32(m, true) !== magic) return { problem: 'bad magic (not a bbolt file?)' };
  const version = view.getUint32(m + 4, true);
  if (version !== formatVersion) return { problem: `format version ${version}, expected ${formatVersion}` };
  const checksum = view.getBigUint64(m + metaChecksumOffset, true);
  const computed = fnv1a64(bytes.subarray(m, m + metaChecksumOffset));
  if (checksum !== computed) {
    return { problem: `checksum mismatch (stored ${hex(checksum)}, computed ${hex(computed)})` };
  }
  const pageSize = view.getUint32(m + 8, true);
  if (pageSize < minPageSize || pageSize > maxPageSize || (pageSize & (pageSize - 1)) !== 0) {
    return { problem: `implausible page size ${pageSize}` };
  }
  const freelist = view.getBigUint64(m + 32, true);
  return {
    meta: {
      page,
      pageSize,
      flags: view.getUint32(m + 12, true),
      root: u64(view, m + 16),
      freelist: freelist === noFreelist ? undefined : u64(view, m + 32),
      pgid: u64(view, m + 40),
      txid: view.getBigUint64(m + 48, true),
      checksum,
    },
  };
}

function hex(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}

/** Reads both meta pages of `file` (of `dbSize` bytes, trailer excluded) and picks one. */
export function chooseMeta(file: PageFile, dbSize: number): MetaChoice {
  if (dbSize < 2 * minPageSize) {
    throw damaged(file.path, 'file', `only ${dbSize} bytes, too short for the two meta pages`);
  }
  const pageSize = discoverPageSize(file, dbSize);
  if (dbSize < 2 * pageSize) {
    throw damaged(file.path, 'file', `only ${dbSize} bytes, too short for two ${pageSize}-byte meta pages`);
  }
  const pages: Parsed[] = [];
  const warnings: string[] = [];
  for (const page of [0, 1] as const) {
    const bytes = file.read(page * pageSize, Math.min(pageSize, 0x1000));
    let parsed = parseMeta(bytes, page);
    if ('meta' in parsed && parsed.meta.pageSize !== pageSize) {
      parsed = { problem: `page size ${parsed.meta.pageSize} differs from the file's ${pageSize}` };
    }
    pages.push(parsed);
    // bbolt's check asserts both meta pages' headers (and panics); a damaged one is damage here too.
    const header = dataView(bytes);
    const id = u64(header, 0);
    const flags = header.getUint16(8, true);
    if (id !== page || flags !== PageFlag.meta) {
      throw damaged(
        file.path,
        pageWhere(page, pageSize),
        `meta page header is damaged (says page ${id}, type ${pageTypeName(flags)})`,
      );
    }
  }
  const [first, second] = pages as [Parsed, Parsed];
  const valid = pages.flatMap((p) => ('meta' in p ? [p.meta] : []));
  // The higher txid wins; on a tie (or a single valid page) the first in page order.
  const chosen = valid.length === 2 && valid[1]!.txid > valid[0]!.txid ? valid[1] : valid[0];
  if (!chosen) {
    throw damaged(
      file.path,
      'meta pages',
      `both are invalid: meta 0: ${problemOf(first)}; meta 1: ${problemOf(second)}`,
    );
  }
  for (const [page, parsed] of pages.entries()) {
    if ('problem' in parsed) {
      warnings.unshift(`meta page ${page} is invalid (${parsed.problem}); using meta page ${chosen.page}`);
    }
  }
  return warnings.length > 0 ? { meta: chosen, warning: warnings.join('; ') } : { meta: chosen };
}

function problemOf(parsed: Parsed): string {
  return 'problem' in parsed ? parsed.problem : 'valid';
}

function discoverPageSize(file: PageFile, dbSize: number): number {
  const first = parseMeta(file.read(0, Math.min(0x1000, dbSize)), 0);
  if ('meta' in first) return first.meta.pageSize;
  // Meta 0 is unusable: look for meta 1 where each possible page size would put it.
  for (let i = 0; i <= 14; i++) {
    const position = 1024 << i;
    if (position >= dbSize - 1024) break;
    const second = parseMeta(file.read(position, Math.min(0x1000, dbSize - position)), 1);
    if ('meta' in second) return second.meta.pageSize;
  }
  throw damaged(file.path, 'meta pages', `neither is valid: meta 0: ${first.problem}; no valid meta 1 found`);
}

// The persisted freelist page: the ids of pages free for reuse. etcd does not
// persist it (NoFreelistSync), in which case bbolt rebuilds it by walking the
// tree and so do we: every page the walk does not reach is free.
import { damaged } from './damage.ts';
import { dataView, freelistCountOverflow, PageFlag, pageHeaderSize, u64 } from './layout.ts';
import type { Page } from './page.ts';

/** The page ids listed on a freelist page, bounds-checked against the page. */
export function* freelistIds(page: Page): Generator<number> {
  const view = dataView(page.bytes);
  let first = pageHeaderSize;
  let count = page.count;
  if (page.flags !== PageFlag.freelist) throw damaged(page.file, page.where, 'is not a freelist page');
  if (count === freelistCountOverflow) {
    if (page.bytes.length < pageHeaderSize + 8)
      throw damaged(page.file, page.where, 'freelist count is cut off');
    count = u64(view, pageHeaderSize);
    first += 8;
  }
  const end = first + count * 8;
  if (end > page.bytes.length) {
    throw damaged(
      page.file,
      page.where,
      `lists ${count} free pages but has room for ${(page.bytes.length - first) / 8}`,
    );
  }
  for (let at = first; at < end; at += 8) yield u64(view, at);
}

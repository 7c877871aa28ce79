// One wording for every structural problem: which file, where in it, and what
// is wrong, as a single line a user can paste into a bug report.
import { LifeboatError } from '@lifeboat/core';

export function damaged(file: string, where: string, what: string, cause?: unknown): LifeboatError {
  return new LifeboatError(
    'integrity',
    `${file} is damaged: ${where}: ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

/** "page 12 (offset 0xc000)": the page id and where its bytes start in the file. */
export function pageWhere(id: number, pageSize: number): string {
  return `page ${id} (offset 0x${(id * pageSize).toString(16)})`;
}

/** A key for a message: text when it is printable ASCII, else hex; long keys shortened. */
export function printable(key: Uint8Array): string {
  const shown = key.subarray(0, 64);
  const text = Buffer.from(shown.buffer, shown.byteOffset, shown.length);
  const ascii = text.every((b) => b >= 0x20 && b < 0x7f);
  const body = ascii ? JSON.stringify(text.toString('latin1')) : `0x${text.toString('hex')}`;
  return key.length > shown.length ? `${body}…` : body;
}

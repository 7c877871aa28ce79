// openpgp.readKeys() only unarmors the first block of its input, so a file made
// by concatenating exported keys would silently lose all but one of them.
import { type Key, readKeys } from 'openpgp';

const armoredBlock = /-----BEGIN PGP ([A-Z0-9 ,/]+)-----[\s\S]*?-----END PGP \1-----/g;

/** Every ASCII-armored block in text; text around the blocks is ignored. */
export function armoredBlocks(text: string): string[] {
  return text.match(armoredBlock) ?? [];
}

/** All keys in all armored blocks of text; throws openpgp's error for a malformed block. */
export async function readArmoredKeys(text: string): Promise<Key[]> {
  const keys: Key[] = [];
  for (const block of armoredBlocks(text)) keys.push(...(await readKeys({ armoredKeys: block })));
  return keys;
}

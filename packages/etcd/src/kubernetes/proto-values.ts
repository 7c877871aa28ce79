// Value types shared by Kubernetes' generated protobuf messages: metav1.Time,
// and map fields (repeated entry messages with key = 1, value = 2).
import { LifeboatError } from '@lifeboat/core';
import { asBytes, asInt64, asString, fields } from '../protobuf/wire.ts';

/** Go's zero time.Time in Unix seconds: metav1.Time writes it for unset timestamps. */
const goZeroTimeSeconds = -62135596800n;
const maxJsSeconds = 8_640_000_000_000n;

/** metav1.Time {seconds = 1, nanos = 2} as its JSON form, or undefined when unset. */
export function readTime(buf: Uint8Array, what: string): string | undefined {
  // An empty message is Go's zero time (Time.Unmarshal), like goZeroTimeSeconds.
  if (buf.length === 0) return undefined;
  let seconds = 0n;
  for (const f of fields(buf, what)) {
    // nanos (2) are dropped on purpose: metav1.Time's JSON has seconds only.
    if (f.number === 1) seconds = asInt64(f);
  }
  if (seconds === goZeroTimeSeconds) return undefined;
  if (seconds > maxJsSeconds || seconds < -maxJsSeconds) {
    throw new LifeboatError('integrity', `malformed ${what}: timestamp ${seconds} s is out of range`);
  }
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** One map entry message; a missing key or value is the empty string/bytes, as in Go. */
function readEntry(buf: Uint8Array, what: string): { key: string; value: Uint8Array } {
  let key = '';
  let value: Uint8Array = new Uint8Array(0);
  for (const f of fields(buf, what)) {
    if (f.number === 1) key = asString(f);
    else if (f.number === 2) value = asBytes(f);
  }
  return { key, value };
}

/** Accumulates map<string, string> entries into a plain record. */
export function addStringEntry(into: Record<string, string>, buf: Uint8Array, what: string): void {
  const { key, value } = readEntry(buf, what);
  into[key] = Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8');
}

/** Accumulates map<string, bytes> entries as base64, the JSON form of []byte. */
export function addBytesEntry(into: Record<string, string>, buf: Uint8Array, what: string): void {
  const { key, value } = readEntry(buf, what);
  into[key] = Buffer.from(value).toString('base64');
}

// Turns what openpgp.js throws while reading a message into the error a user
// can act on: fetch again (truncated), distrust the copy (modified), or fix
// the input (not OpenPGP). Errors that are not openpgp.js's own — the input
// stream failing, an abort, our signature checks — pass through unchanged.
import { LifeboatError } from '@lifeboat/core';
import type { PacketFraming } from './packet-framing.ts';

export interface InputState {
  framing: PacketFraming;
  /** The input stream ended cleanly. */
  ended: boolean;
  /** The input stream's own error, or the abort. */
  failed?: unknown;
}

export function decryptionFailure(err: unknown, state: InputState, name: string): unknown {
  if (state.failed !== undefined) return state.failed;
  if (err instanceof LifeboatError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const because = (message: string) => new LifeboatError('integrity', message, { cause: err });
  if (state.ended && state.framing.bytes === 0) return because(`${name} is empty`);
  const end = state.framing.encryptedDataEnd;
  if (end !== undefined && state.framing.bytes > end) {
    return because(
      `${name} goes on after the end of its encrypted data (at byte ${end}): something was appended to it`,
    );
  }
  // Decided by the framing, not the message: a cut at a chunk boundary reads as "modification detected".
  if (state.ended && !state.framing.complete) {
    return because(
      `${name} is truncated: it ends after ${state.framing.bytes} bytes, in the middle of a packet; ` +
        'fetch or copy it again',
    );
  }
  // SEIPDv1: openpgp.js's MDC check; SEIPDv2: Node's AEAD ("unable to authenticate data").
  if (/modification detected|authenticate data|authentication tag|tag mismatch/i.test(detail)) {
    return because(`${name} was modified: its integrity check failed; do not trust this copy`);
  }
  if (/error during parsing|not conform to a valid OpenPGP format/i.test(detail)) {
    return because(`${name} is not an OpenPGP message`);
  }
  return because(`${name} is damaged or not a valid OpenPGP message (${detail})`);
}

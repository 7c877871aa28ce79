// Decryption as a stream, for callers that pipe the plaintext onward (tar
// extraction, `verify`). SEIPDv1 (what GnuPG 2.2 writes) carries its integrity
// check (MDC) at the very end, and the signature comes last too, so plaintext
// flows before anything is proven: openpgp.js allows that only with
// `allowUnauthenticatedStream`, and otherwise buffers the whole message in
// memory. The guarantee moves to the end of the stream instead: `data` ends
// cleanly, and `verified` resolves, only once every check passed.
import type { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { decrypt, type PublicKey, readMessage } from 'openpgp';
import { onAbort } from './abort.ts';
import { decryptionFailure, type InputState } from './decrypt-errors.ts';
import type { DecryptionKey } from './decryption-keys.ts';
import { checkSignature, type ExpectedSigner, resolveSigner, signatureBy } from './expected-signer.ts';
import { fingerprintOf } from './key-facts.ts';
import { keyIdHex, keysForMessage } from './keys-for-message.ts';
import { PacketFraming } from './packet-framing.ts';
import { fromWebStream, toWebStream } from './web-streams.ts';

export interface DecryptStreamOptions {
  /** A binary OpenPGP message; destroyed when decryption fails or is aborted. */
  input: Readable;
  /** Tried only when the message is encrypted to them; only those are unlocked. */
  privateKeys: readonly DecryptionKey[];
  /**
   * Require a valid signature by this key. A fingerprint is looked up among
   * `verificationKeys` and the public halves of `privateKeys`.
   */
  expectedSigner?: ExpectedSigner | undefined;
  verificationKeys?: readonly PublicKey[] | undefined;
  signal?: AbortSignal | undefined;
  /** Names the message in errors, e.g. its object key; default "the message". */
  name?: string | undefined;
}

export interface DecryptResult {
  /** Plaintext bytes. */
  bytes: number;
  /** The key IDs the message is encrypted to, as GnuPG prints them. */
  recipientKeyIds: string[];
  /** Fingerprint of the expected signer; set only when one was expected, and then verified. */
  signer: string | undefined;
  /** The file name stored in the message (often empty). */
  filename: string;
}

export interface DecryptedStream {
  /**
   * The plaintext, UNVERIFIED while it flows. It ends cleanly only after the
   * integrity check and the expected signature passed; otherwise it errors
   * (after possibly all bytes were delivered). Treat what was read as
   * untrusted until `verified` resolves: write it somewhere temporary, or be
   * able to throw away whatever it produced.
   */
  data: Readable;
  /**
   * Resolves when `data` has ended and every check passed; rejects with the
   * error `data` fails with (or when `data` is destroyed early). Settles only
   * as `data` is consumed.
   */
  verified: Promise<DecryptResult>;
}

const ignore = () => {};

/**
 * Starts decrypting `input`. Rejects at once for what the message's first
 * packets already tell: not OpenPGP, truncated, not encrypted to any given
 * key, a passphrase missing or wrong, unsigned or signed by someone else.
 */
export async function decryptStream(options: DecryptStreamOptions): Promise<DecryptedStream> {
  const { input } = options;
  const name = options.name ?? 'the message';
  const state: InputState = { framing: new PacketFraming(), ended: false };
  let output: Readable | undefined;
  let settle: { resolve(result: DecryptResult): void; reject(err: unknown): void } | undefined;
  const stopListening = onAbort(options.signal, 'decryption', (err) => {
    state.failed ??= err; // set first: destroying the input makes it fail with "premature close"
    input.destroy();
    output?.destroy(err);
    settle?.reject(err);
  });
  const fail = (err: unknown) => {
    const failure = decryptionFailure(err, state, name); // before destroying: it reads how the input ended
    input.destroy();
    return failure;
  };
  const source = toWebStream(input, {
    chunk: (bytes) => state.framing.observe(bytes),
    end: () => {
      state.ended = true;
    },
    error: (err) => {
      state.failed ??= err;
    },
  });
  try {
    if (state.failed !== undefined) throw state.failed;
    const signer =
      options.expectedSigner === undefined
        ? undefined
        : resolveSigner(options.expectedSigner, [
            ...(options.verificationKeys ?? []),
            ...options.privateKeys.map((k) => k.key),
          ]);
    const message = await readMessage({ binaryMessage: source }).catch((err) => {
      throw fail(err);
    });
    const wanted = message.getEncryptionKeyIDs();
    if (wanted.length === 0) {
      throw new LifeboatError('crypto', `${name} is not encrypted to a public key (perhaps to a passphrase)`);
    }
    const decryptionKeys = await keysForMessage(wanted, options.privateKeys, name);
    const decrypted = await decrypt({
      message,
      decryptionKeys,
      verificationKeys: signer ? [signer] : [],
      format: 'binary',
      // Safe only because `data` errors at the end when the MDC fails; see above.
      config: { allowUnauthenticatedStream: true },
    }).catch((err) => {
      throw fail(sessionKeyFailure(err, name));
    });
    for (const s of decrypted.signatures) {
      s.verified.catch(ignore); // awaited (or deliberately not) below; never an unhandled rejection
      s.signature.catch(ignore);
    }
    const signature = signer ? signatureBy(decrypted.signatures, signer, name) : undefined;

    const verified = new Promise<DecryptResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    verified.catch(ignore);
    const base = {
      recipientKeyIds: wanted.map(keyIdHex),
      signer: signer && fingerprintOf(signer),
      filename: decrypted.filename,
    };
    const guarded = guard(decrypted.data as ReadableStream<Uint8Array>, {
      async finish(bytes) {
        if (signature && signer) await checkSignature(signature, signer, name);
        return { ...base, bytes };
      },
      fail,
      settle: settle!,
    });
    output = fromWebStream(guarded);
    output.once('close', stopListening);
    if (state.failed !== undefined) output.destroy(state.failed as Error);
    return { data: output, verified };
  } catch (err) {
    stopListening();
    input.destroy();
    throw state.failed ?? err;
  }
}

/** openpgp.js says only "Session key decryption failed" when a matching key cannot open the session key. */
function sessionKeyFailure(err: unknown, name: string): unknown {
  const detail = err instanceof Error ? err.message : String(err);
  if (!/session key decryption failed/i.test(detail)) return err;
  return new LifeboatError(
    'integrity',
    `the session key of ${name} could not be decrypted with the matching private key: ` +
      'the message is damaged (or the key ID collides with another key)',
    { cause: err },
  );
}

/**
 * Passes the plaintext through and runs `finish` after its last byte, so the
 * stream closes only when `finish` (signature check) succeeds.
 */
function guard(
  plaintext: ReadableStream<Uint8Array>,
  hooks: {
    finish(bytes: number): Promise<DecryptResult>;
    fail(err: unknown): unknown;
    settle: { resolve(result: DecryptResult): void; reject(err: unknown): void };
  },
): ReadableStream<Uint8Array> {
  const reader = plaintext.getReader();
  let bytes = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (!next.done) {
            bytes += next.value.length;
            controller.enqueue(next.value);
            return;
          }
          const result = await hooks.finish(bytes);
          hooks.settle.resolve(result);
          controller.close();
        } catch (err) {
          const failure = hooks.fail(err);
          hooks.settle.reject(failure);
          throw failure;
        }
      },
      async cancel(reason) {
        hooks.settle.reject(
          new LifeboatError('aborted', 'decryption stopped before the end: nothing was verified', {
            cause: reason,
          }),
        );
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

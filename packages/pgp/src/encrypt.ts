// The backup's encryption stage: plaintext bytes in, a binary OpenPGP message
// out (`gpg -d` opens it), signed inside with a one-pass signature when a
// signing key is given. openpgp.js streams it: literal data, signature hash,
// SEIPD encryption and its MDC are all computed as the bytes pass.
import type { Readable } from 'node:stream';
import { LifeboatError } from '@lifeboat/core';
import { createMessage, encrypt, enums, type PrivateKey, type PublicKey } from 'openpgp';
import { onAbort } from './abort.ts';
import type { EncryptionProfile } from './profile.ts';
import { fromWebStream, toWebStream } from './web-streams.ts';

export interface EncryptStreamOptions {
  input: Readable;
  /** At least one; normally loadRecipients().recipients. */
  recipients: readonly { key: PublicKey }[];
  /** Signs the payload inside the message; normally loadSigningKey(). */
  signingKey?: { key: PrivateKey } | undefined;
  /** encryptionProfile(recipients): SEIPDv1 unless every recipient reads SEIPDv2. */
  profile: EncryptionProfile;
  /** Stored in the literal data packet; `gpg -d` ignores it unless told --use-embedded-filename. */
  filename?: string;
  signal?: AbortSignal | undefined;
}

async function encryptWeb(
  source: ReadableStream<Uint8Array>,
  options: EncryptStreamOptions,
): Promise<ReadableStream<Uint8Array>> {
  const message = await createMessage({ binary: source, filename: options.filename ?? '' });
  const encrypted = await encrypt({
    message,
    encryptionKeys: options.recipients.map((r) => r.key),
    signingKeys: options.signingKey ? [options.signingKey.key] : [],
    format: 'binary',
    // The payload is already compressed (zstd); a second pass would only cost CPU.
    config: { ...options.profile.config, preferredCompressionAlgorithm: enums.compression.uncompressed },
  });
  return encrypted as ReadableStream<Uint8Array>;
}

/**
 * Encrypts `input` to every recipient, as a stream. The output errors (never
 * ends cleanly) when the input errors — with the input's own error — or when
 * encryption fails or `signal` aborts; destroying the output destroys the input.
 */
export function encryptStream(options: EncryptStreamOptions): Readable {
  const { input } = options;
  let inputError: unknown;
  const source = toWebStream(input, {
    error: (err) => {
      inputError ??= err;
    },
  });
  const failure = (err: unknown) => {
    input.destroy();
    if (inputError !== undefined) return inputError;
    const detail = err instanceof Error ? err.message : String(err);
    return new LifeboatError('crypto', `encryption failed: ${detail}`, { cause: err });
  };
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const encrypted = new ReadableStream<Uint8Array>(
    {
      async start() {
        if (options.recipients.length === 0) {
          input.destroy();
          throw new LifeboatError('config', 'no recipients to encrypt to; add at least one public key');
        }
        try {
          reader = (await encryptWeb(source, options)).getReader();
        } catch (err) {
          throw failure(err);
        }
      },
      async pull(controller) {
        try {
          const { done, value } = await reader!.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (err) {
          throw failure(err);
        }
      },
      async cancel(reason) {
        await reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const output = fromWebStream(encrypted);
  const stopListening = onAbort(options.signal, 'encryption', (err) => {
    inputError ??= err; // set first: destroying the input makes it fail with "premature close"
    input.destroy();
    output.destroy(err);
  });
  output.once('close', stopListening);
  return output;
}

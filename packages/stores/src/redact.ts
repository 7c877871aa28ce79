// Store locations and tool output can carry credentials (a restic
// rest:https://user:pass@host repository, a password echoed by a tool):
// everything that reaches a message goes through here first.

/** Replaces the user-info part of every URL in text ("https://user:pass@host") with "***". */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

/** redactUrls, and every occurrence of each secret replaced with "***". */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUrls(text);
  for (const secret of secrets) {
    // Very short secrets would blank out ordinary words; they are weak anyway.
    if (secret && secret.length >= 4) out = out.replaceAll(secret, '***');
  }
  return out;
}

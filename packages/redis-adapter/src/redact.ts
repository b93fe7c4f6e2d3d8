/**
 * Secret redaction for URLs, messages and errors. Nothing the adapter logs, reports, throws or
 * exposes in health output goes out without passing through here.
 */

/** What replaces a secret. */
export const REDACTED = '***';
/** What replaces a string that cannot be parsed as a URL (it might hold anything). */
export const UNPARSEABLE_URL = '<unparseable-url>';

const SECRET_PARAM = /pass|token|key|secret|auth|credential/i;
/** A query parameter with a secret-looking name, in raw text: `$1` is all up to its value. */
const SECRET_QUERY_VALUE = new RegExp(
  `([?&;][^=&#]*(?:${SECRET_PARAM.source})[^=&#]*=)[^&#]*`,
  'gi',
);

/**
 * Redacts a connection URL with the WHATWG URL parser: the password becomes `***`, a user-only
 * credential (`redis://secret@host`) is treated as a secret too, and query parameters whose
 * name looks secret (password, token, key, secret, auth…) are blanked. A string that does not
 * parse is replaced entirely by `<unparseable-url>`. Mistyped URLs never show a credential
 * either: when the parser's split cannot be trusted (an `@` it did not take for the end of a
 * credential, as in `user:pass@host` or `redis:/u:p@h`; or more than one `@`, as when a
 * password holds an unencoded `@` followed by `/`, `?` or `#`), everything before the last `@`
 * becomes `***`; a value with no `//` after its scheme (`default:hunter2`) shows only the scheme.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return UNPARSEABLE_URL;
  }
  const hadCredential = u.password !== '' || u.username !== '';
  if (u.password !== '') u.password = REDACTED;
  else if (u.username !== '') u.username = REDACTED;
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) u.searchParams.set(name, REDACTED);
  }
  // URLSearchParams percent-encodes the asterisks; show them plainly.
  const out = u.toString().replaceAll('%2A%2A%2A', REDACTED);
  // Judged on the input: serializing may percent-encode an '@' (in a rewritten query).
  const at = url.indexOf('@');
  if (at >= 0 && (!hadCredential || at !== url.lastIndexOf('@'))) {
    return redactUserinfo(url.trim()).replace(SECRET_QUERY_VALUE, `$1${REDACTED}`);
  }
  const opaque = /^([a-z][a-z0-9+.-]*:)(?!\/)/i.exec(out);
  return opaque === null ? out : `${opaque[1]}${REDACTED}`;
}

/**
 * Replaces what may be a credential in a string the URL parser did not split into one: all
 * before the last `@` (after a `scheme:/` prefix, if any). Unchanged without an `@`.
 */
export function redactUserinfo(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const prefix = /^[a-z][a-z0-9+.-]*:\/+/i.exec(text)?.[0] ?? '';
  return prefix.length > at ? text : `${prefix}${REDACTED}${text.slice(at)}`;
}

/**
 * Replaces every occurrence of each secret (and of its percent-encoded form) in `text` with
 * `***`. Empty secrets are ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length === 0) continue;
    out = out.split(s).join(REDACTED);
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join(REDACTED);
  }
  return out;
}

/**
 * Returns `error` unchanged when none of `secrets` occurs in its message, stack or string
 * properties; otherwise a copy with the same prototype (so `instanceof` and class-name checks
 * still work) whose strings are redacted. `cause` is redacted recursively (depth-limited).
 */
export function redactError<E>(error: E, secrets: readonly string[], depth = 0): E {
  if (secrets.length === 0 || typeof error !== 'object' || error === null) return error;
  if (!containsSecret(error, secrets, depth)) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<
    PropertyKey,
    unknown
  >;
  for (const key of Reflect.ownKeys(error)) {
    const desc = Object.getOwnPropertyDescriptor(error, key);
    if (desc === undefined) continue;
    if ('value' in desc) {
      const v: unknown = desc.value;
      if (typeof v === 'string') desc.value = redactSecrets(v, secrets);
      else if (key === 'cause' && depth < 3) desc.value = redactError(v, secrets, depth + 1);
      else if (key === 'command' || key === 'args') desc.value = REDACTED;
    }
    Object.defineProperty(copy, key, desc);
  }
  return copy as E;
}

function containsSecret(error: object, secrets: readonly string[], depth: number): boolean {
  for (const key of Reflect.ownKeys(error)) {
    const desc = Object.getOwnPropertyDescriptor(error, key);
    if (desc === undefined || !('value' in desc)) continue;
    const v: unknown = desc.value;
    if (typeof v === 'string') {
      if (redactSecrets(v, secrets) !== v) return true;
    } else if (key === 'command' || key === 'args') {
      if (secrets.some((s) => s !== '' && safeJson(v).includes(s))) return true;
    } else if (key === 'cause' && depth < 3 && typeof v === 'object' && v !== null) {
      if (containsSecret(v, secrets, depth + 1)) return true;
    }
  }
  return false;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** The message of an arbitrary thrown value, redacted. */
export function errorMessage(error: unknown, secrets: readonly string[]): string {
  let raw: string;
  if (error instanceof Error || (typeof error === 'object' && error !== null)) {
    const m = (error as { message?: unknown }).message;
    raw = typeof m === 'string' && m !== '' ? m : className(error);
  } else {
    raw = String(error);
  }
  return redactSecrets(raw, secrets);
}

/** A readable class name for an error whose `name` is the generic "Error". */
export function className(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const ctor = (error as { constructor?: { name?: unknown } }).constructor;
  const n = ctor !== undefined && typeof ctor.name === 'string' ? ctor.name : '';
  return n !== '' ? n : String((error as { name?: unknown }).name ?? 'Error');
}

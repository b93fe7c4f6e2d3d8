import { describe, expect, it } from 'vitest';
import { SimpleError } from 'redis';
import { errorMessage, redactError, redactSecrets, redactUrl } from './redact.js';

describe('redactUrl', () => {
  it.each([
    ['redis://:s3cret@h:6379', 'redis://:***@h:6379'],
    ['rediss://user:p%40ss@cache.example.com:6380/2', 'rediss://user:***@cache.example.com:6380/2'],
    ['redis://tokenonly@h:6379', 'redis://***@h:6379'],
    ['redis://h:6379/0?password=abc&db=1', 'redis://h:6379/0?password=***&db=1'],
    [
      'redis://h?token=t&apiKey=k&client_secret=s',
      'redis://h?token=***&apiKey=***&client_secret=***',
    ],
    ['unix:///x.sock?password=abc', 'unix:///x.sock?password=***'],
    ['redis://h:6379', 'redis://h:6379'],
    ['not a url', '<unparseable-url>'],
    ['redis://:pw@[::1', '<unparseable-url>'],
    // Mistyped URLs whose '@' the parser does not take for the end of a credential.
    ['admin:Sup3rS3cret@127.0.0.1:20517', '***@127.0.0.1:20517'],
    ['rediss:/admin:Sup3rS3cret@host', 'rediss:/***@host'],
    ['redis:/u:Sup3rS3cret@h:6379', 'redis:/***@h:6379'],
    ['redis:u:Sup3rS3cret@h:6379', '***@h:6379'],
    ['redis:/u:Sup3rS3cret@h:6379?password=x', 'redis:/***@h:6379?password=***'],
    // A password with an unencoded '@' followed by '/', '?' or '#': the parser splits too early.
    ['redis://default:p@ss/w0rd@cache.internal:6379', 'redis://***@cache.internal:6379'],
    ['rediss://u:p@h/S3cr3tPw@x', 'rediss://***@x'],
    ['redis://default:p@ss?w0rd@cache.internal:6379', 'redis://***@cache.internal:6379'],
    ['redis://default:p@ss#w0rd@cache.internal:6379', 'redis://***@cache.internal:6379'],
    // No '//' after the scheme: what follows may be a credential.
    ['default:hunter2', 'default:***'],
    // '@' only in a query whose secret-named parameter gets rewritten (and its '@' encoded).
    ['redis://RXyy?xHZt@keYq@host', 'redis://***@host'],
    ['redis://u:p@ss?w@h?password=x&db=1', 'redis://***@h?password=***&db=1'],
    ['redis:S3cr3tPw', 'redis:***'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('redactSecrets / redactError', () => {
  it('scrubs plain and percent-encoded secrets', () => {
    expect(redactSecrets('auth p@ss and p%40ss', ['p@ss'])).toBe('auth *** and ***');
    expect(redactSecrets('nothing', ['', 'x y'])).toBe('nothing');
  });

  it('returns the same error when it holds no secret', () => {
    const e = new SimpleError('WRONGTYPE x');
    expect(redactError(e, ['pw'])).toBe(e);
  });

  it('copies an error holding a secret, keeping its class; cause and command args too', () => {
    const cause = new Error('inner hunter2');
    const e = Object.assign(new SimpleError('ERR AUTH hunter2 failed'), {
      cause,
      command: { name: 'auth', args: ['default', 'hunter2'] },
    });
    const r = redactError(e, ['hunter2']);
    expect(r).not.toBe(e);
    expect(r).toBeInstanceOf(SimpleError);
    expect(r.message).toBe('ERR AUTH *** failed');
    expect(String(r.stack)).not.toContain('hunter2');
    expect((r.cause as Error).message).toBe('inner ***');
    expect(JSON.stringify((r as unknown as { command: unknown }).command)).not.toContain('hunter2');
    expect(e.message).toContain('hunter2'); // the original is untouched
  });

  it('errorMessage falls back to the class name for empty messages', () => {
    class TimeoutError extends Error {}
    expect(errorMessage(new TimeoutError(''), [])).toBe('TimeoutError');
    expect(errorMessage('x pw', ['pw'])).toBe('x ***');
  });
});

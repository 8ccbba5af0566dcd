/**
 * Service logs for the runtime tests. Give a runtime `logs.onLog`: every line
 * is kept, and after each test the error-level lines are checked. A line at
 * level `error` fails the test unless the test declared it with
 * `logs.expectError(pattern)` (with a comment saying why it is expected); a
 * declared pattern that no error line matched fails the test too.
 *
 * Call `serviceLogs()` before the `afterEach` (or `afterAll`) that stops the
 * runtime: vitest runs after-hooks in reverse order, so the check then sees the
 * lines logged while the runtime stopped. Runs in Node and in the browser suite.
 */
import { afterAll, afterEach } from 'vitest';
import type { LogEntry } from '@ltask-web/plugin-ltask';

interface Expected {
  pattern: RegExp;
  seen: number;
}

const show = (e: LogEntry) => `[${e.label}:${e.source}] ${e.text}`;

export class ServiceLogs {
  /** Every line since the last check, in order. */
  readonly entries: LogEntry[] = [];
  private expected: Expected[] = [];

  /** The runtime's `onLog`. */
  readonly onLog = (e: LogEntry): void => void this.entries.push(e);

  /** Declares that this test expects error lines matching `pattern` (at least one). */
  expectError(pattern: RegExp): void {
    this.expected.push({ pattern, seen: 0 });
  }

  /**
   * Resolves once every declared pattern has matched an error line, or after
   * `ms`: lines come through the logger service a moment after what caused
   * them, and the test may end (and stop its runtime) before they are in.
   */
  async settle(ms = 5000): Promise<void> {
    const done = () => this.expected.every((x) => this.errors().some((line) => x.pattern.test(line)));
    for (const t = Date.now(); !done() && Date.now() - t < ms; ) await new Promise((r) => setTimeout(r, 10));
  }

  /** The error-level lines so far, as `[label:source] text`. */
  errors(): string[] {
    return this.entries.filter((e) => e.level === 'error').map(show);
  }

  /**
   * Throws when an error line matches no declared pattern, or a declared
   * pattern matched no error line; then forgets the lines and the patterns.
   */
  check(): void {
    const expected = this.expected;
    const lines = this.errors();
    this.entries.length = 0;
    this.expected = [];
    const unexpected = lines.filter((line) => {
      const hit = expected.find((x) => x.pattern.test(line));
      if (hit) hit.seen++;
      return !hit;
    });
    const missing = expected.filter((x) => x.seen === 0).map((x) => String(x.pattern));
    const problems = [
      ...(unexpected.length ? [`service error log${unexpected.length > 1 ? 's' : ''} the test did not expect:\n  ${unexpected.join('\n  ')}`] : []),
      ...(missing.length ? [`expected service error log${missing.length > 1 ? 's' : ''} never seen: ${missing.join(', ')}`] : []),
    ];
    if (problems.length) throw new Error(problems.join('\n'));
  }
}

/**
 * A collector whose `check()` runs after each test of the file, and once more
 * when the file ends, after the `afterAll` hooks registered after this call
 * (where a runtime the file's tests share is stopped).
 */
export function serviceLogs(): ServiceLogs {
  const logs = new ServiceLogs();
  afterAll(() => logs.check());
  afterEach(() => logs.check());
  return logs;
}

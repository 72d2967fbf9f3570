import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../core/ids.js';
import type { InterceptionStart, RecordedInterception } from '../core/records.js';
import { Journal } from './journal.js';
import type { Admission } from './journal-entry.js';
import { interruptedError, openJournal } from './replay-journal.js';

const logger = pino({ level: 'silent' });
const directories: string[] = [];
const journalDirectory = () => {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-journal-'));
  directories.push(directory);
  return directory;
};
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function admission(id = newId()): Admission {
  const startedAt = new Date('2026-11-26T10:00:00.000Z');
  const start: InterceptionStart = {
    id,
    initiatorId: newId(),
    apiKeyId: 'abcdefghij',
    provider: 'anthropic',
    providerName: 'anthropic',
    model: 'claude-sonnet-5-5',
    client: 'Claude Code',
    clientSessionId: 'session-1',
    threadParentId: null,
    threadRootId: null,
    credentialKind: 'centralized',
    credentialHint: 'sk-a...wxyz',
    // A date-like string in metadata must come back as the same string.
    metadata: { user_agent: 'claude-cli/2.0', createdAt: '2026-01-01' },
    startedAt,
  };
  return { start, prompt: 'fix the bug' };
}

function finished(entry: Admission): RecordedInterception {
  const { start } = entry;
  return {
    start,
    end: { endedAt: new Date('2026-11-26T10:00:02.000Z'), upstreamStatus: 200, error: null },
    userPrompts: [],
    tokenUsages: [
      {
        id: newId(),
        interceptionId: start.id,
        providerResponseId: 'msg_1',
        inputTokens: 10,
        outputTokens: 20,
        cacheReadInputTokens: 3,
        cacheWriteInputTokens: 4,
        metadata: {},
        createdAt: new Date('2026-11-26T10:00:02.000Z'),
      },
    ],
    toolUsages: [],
    modelThoughts: [],
  };
}

const segmentSizes = (directory: string) =>
  readdirSync(directory).map((name) => statSync(join(directory, name)).size);

describe('crash journal', () => {
  it('replays a finished interception exactly and an unfinished one as interrupted with what was known', () => {
    const directory = journalDirectory();
    const first = openJournal({ directory, logger });
    expect(first.replay).toEqual([]);
    const done = admission();
    const inFlight = admission();
    first.journal.admit(done);
    first.journal.admit(inFlight);
    const doneRecord = finished(done);
    first.journal.queued(doneRecord);
    // The ended line goes out with the next write, at the latest at the end of this turn of the loop.
    first.journal.flush();
    // The process dies here: nothing was written to the database.

    const second = openJournal({ directory, logger });
    expect(second).toMatchObject({ finished: 1, interrupted: 1 });
    const byId = (id: string) => second.replay.filter((interception) => interception.start.id === id);
    expect(byId(done.start.id)).toEqual([doneRecord]);
    const [interrupted] = byId(inFlight.start.id);
    expect(interrupted).toMatchObject({ tokenUsages: [], toolUsages: [], modelThoughts: [] });
    expect(interrupted?.start).toEqual(inFlight.start);
    expect(interrupted?.userPrompts).toHaveLength(1);
    expect(interrupted?.userPrompts[0]).toMatchObject({
      interceptionId: inFlight.start.id,
      prompt: 'fix the bug',
      createdAt: inFlight.start.startedAt,
    });
    const end = interrupted?.end as { error: string; metadata: object; endedAt: Date };
    expect(end.error).toBe(interruptedError);
    expect(end.error.startsWith('interrupted')).toBe(true);
    expect(end.metadata).toEqual({ interrupted: true });
    expect(end.endedAt.getTime()).toBeGreaterThanOrEqual(inFlight.start.startedAt.getTime());
  });

  it('empties its file once every interception it holds is written, and keeps it until then', () => {
    const directory = journalDirectory();
    const { journal } = openJournal({ directory, logger });
    const a = admission();
    const b = admission();
    journal.admit(a);
    journal.admit(b);
    const recordOfA = finished(a);
    journal.queued(recordOfA);
    journal.written([recordOfA]);
    expect(journal.pending).toBe(1);
    expect(segmentSizes(directory).reduce((sum, size) => sum + size, 0)).toBeGreaterThan(0);
    journal.queued(finished(b));
    journal.written([finished(b)]);
    expect(journal.pending).toBe(0);
    expect(segmentSizes(directory)).toEqual([0]);
    journal.close();
    expect(openJournal({ directory, logger }).replay).toEqual([]);
  });

  it('rotates full segments and deletes each once its interceptions are written', () => {
    const directory = journalDirectory();
    // A tiny segment size: every append fills a segment.
    const journal = new Journal({ directory, logger, maxSegmentBytes: 1 });
    const entries = [admission(), admission(), admission()];
    const records = entries.map(finished);
    for (const entry of entries) journal.admit(entry);
    for (const record of records) {
      journal.queued(record);
      journal.flush();
    }
    expect(readdirSync(directory)).toHaveLength(6);
    journal.written(records.slice(0, 2));
    // Left: the segments of the third interception's admission and queued records.
    expect(readdirSync(directory)).toHaveLength(2);
    journal.close();
    const left = openJournal({ directory, logger });
    expect(left).toMatchObject({ finished: 1, interrupted: 0 });
    expect(left.replay).toEqual([records[2]]);
  });

  it('frees an earlier run’s segments once their replayed interceptions are written', () => {
    const directory = journalDirectory();
    const first = openJournal({ directory, logger });
    const entry = admission();
    first.journal.admit(entry);
    first.journal.close();
    const second = openJournal({ directory, logger });
    expect(second.journal.pending).toBe(1);
    second.journal.written(second.replay);
    expect(second.journal.pending).toBe(0);
    second.journal.close();
    expect(openJournal({ directory, logger }).replay).toEqual([]);
  });

  it('replays a finished interception journaled by the earlier format, one line of record events', () => {
    const directory = journalDirectory();
    const entry = admission();
    const record = finished(entry);
    const usage = record.tokenUsages[0];
    const events = [
      { kind: 'interception-start', record: record.start },
      { kind: 'token-usage', record: usage },
      { kind: 'interception-end', record: { id: record.start.id, ...record.end } },
    ];
    writeFileSync(
      join(directory, '000000000001.jsonl'),
      `${JSON.stringify({ kind: 'admitted', start: entry.start, prompt: null })}\n${JSON.stringify({ kind: 'queued', events })}\n`,
    );
    const opened = openJournal({ directory, logger });
    expect(opened).toMatchObject({ finished: 1, interrupted: 0 });
    expect(opened.replay).toEqual([record]);
  });

  it('writes an ended line with the next admission, in one write, and without repeating the start', () => {
    const directory = journalDirectory();
    const { journal } = openJournal({ directory, logger });
    const a = admission();
    journal.admit(a);
    const fileText = () => readdirSync(directory).map((name) => readFileSync(join(directory, name), 'utf8'));
    const afterAdmission = fileText().join('');
    const recordOfA = finished(a);
    journal.queued(recordOfA);
    // Not in the file yet: it waits for the next write.
    expect(fileText().join('')).toBe(afterAdmission);
    const b = admission();
    journal.admit(b);
    const lines = fileText().join('').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).kind)).toEqual(['admitted', 'ended', 'admitted']);
    const ended = JSON.parse(lines[1] ?? '');
    expect(ended.id).toBe(a.start.id);
    expect(ended.start).toBeUndefined();
    journal.close();
    const replayed = openJournal({ directory, logger });
    expect(replayed).toMatchObject({ finished: 1, interrupted: 1 });
    expect(replayed.replay.find((item) => item.start.id === a.start.id)).toEqual(recordOfA);
  });

  it('writes a waiting ended line at the end of the turn of the event loop', async () => {
    const directory = journalDirectory();
    const { journal } = openJournal({ directory, logger });
    const a = admission();
    journal.admit(a);
    journal.queued(finished(a));
    await new Promise((resolve) => setImmediate(resolve));
    const text = readdirSync(directory)
      .map((name) => readFileSync(join(directory, name), 'utf8'))
      .join('');
    expect(text).toContain('"kind":"ended"');
    // Read as the process would find it after a kill, without close().
    expect(openJournal({ directory, logger })).toMatchObject({ finished: 1, interrupted: 0 });
    journal.close();
  });

  it('keeps the start in an ended line when it changed after admission (a lineage found later)', () => {
    const directory = journalDirectory();
    const { journal } = openJournal({ directory, logger });
    const a = admission();
    journal.admit(a);
    const record = finished(a);
    const withLineage = { ...record, start: { ...record.start, threadParentId: 'p', threadRootId: 'r' } };
    journal.queued(withLineage);
    journal.close();
    const replayed = openJournal({ directory, logger });
    expect(replayed).toMatchObject({ finished: 1, interrupted: 0 });
    expect(replayed.replay).toEqual([withLineage]);
  });

  it('skips an ended line whose admission is missing, and logs it', () => {
    const directory = journalDirectory();
    const record = finished(admission());
    const { start, ...rest } = record;
    writeFileSync(
      join(directory, '000000000001.jsonl'),
      `${JSON.stringify({ kind: 'ended', id: start.id, ...rest })}\n`,
    );
    const warnings: string[] = [];
    const listening = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const opened = openJournal({ directory, logger: listening });
    expect(opened).toMatchObject({ finished: 0, interrupted: 0, replay: [] });
    expect(warnings.join('')).toContain(start.id);
  });

  it('skips a torn last line and keeps every whole entry before it', () => {
    const directory = journalDirectory();
    const first = openJournal({ directory, logger });
    const entry = admission();
    first.journal.admit(entry);
    first.journal.close();
    const [name] = readdirSync(directory);
    appendFileSync(join(directory, name ?? ''), '{"kind":"finished","interception":{"start":{"id');
    const second = openJournal({ directory, logger });
    expect(second).toMatchObject({ finished: 0, interrupted: 1 });
    expect(readFileSync(join(directory, name ?? ''), 'utf8')).toContain(entry.start.id);
  });
});

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
    for (const record of records) journal.queued(record);
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

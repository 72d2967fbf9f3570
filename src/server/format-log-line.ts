/**
 * The compact text form of a pino JSON line, for a terminal:
 * `14:03:07.120 INFO  request POST /v1/messages 200 812ms user=… interception=…`.
 * Fields a person does not need at a glance (service, pid, hostname) are left out; errors keep their
 * message and type but not their stack, which the JSON format carries.
 */

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const levelColors: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const hidden = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** Renders one JSON log line as one text line (ending in a newline); a line that is not JSON is kept. */
export function formatLogLine(line: string, options: { colors: boolean }): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = typeof entry.time === 'string' ? clockTime(entry.time) : '';
  let levelText = (levelNames[level] ?? String(level)).padEnd(5);
  if (options.colors) levelText = `\u001b[${levelColors[level] ?? '0'}m${levelText}\u001b[0m`;
  const fields = Object.entries(entry)
    .filter(([key, value]) => !hidden.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${renderValue(value)}`);
  return `${[time, levelText, String(entry.msg ?? ''), ...fields].filter(Boolean).join(' ')}\n`;
}

/** `HH:MM:SS.mmm` in local time: a terminal reader knows the day. */
function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object' && 'message' in value && 'type' in value) {
    // A serialized error: its type and message, on one line.
    const error = value as { type: unknown; message: unknown };
    return JSON.stringify(`${String(error.type)}: ${String(error.message)}`);
  }
  return JSON.stringify(value);
}

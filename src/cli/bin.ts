#!/usr/bin/env node
/**
 * The `aibridge` executable. It checks the Node.js version before loading anything else: the CLI's
 * modules use APIs an older Node lacks, and would fail there with a stack trace instead of a reason.
 * Kept free of imports and of syntax newer than the oldest Node someone might run it on.
 */
const required = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < required) {
  process.stderr.write(
    `aibridge: Node.js ${required} or newer is required; this is Node.js ${process.versions.node}\n`,
  );
  process.exit(1);
} else {
  import('./main.js');
}

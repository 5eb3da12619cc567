// What every browser benchmark writes the same way: the machine line and its own
// section of BENCHMARKS.md between marks.

import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { repoRoot } from '../browser/harness.mjs';

/** CPU, cores, memory, Chromium, commit and time, for the "Machine:" line. */
export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let chromium = 'chromium';
  try {
    chromium = execFileSync('/usr/bin/chromium', ['--version']).toString().trim();
  } catch {
    // the version line is informative only
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot }).toString().trim();
    if (dirty) commit += ' + local changes';
  } catch {
    // not a git checkout
  }
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${chromium}; commit ${commit}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Replaces the text between `<!-- NAME:begin … -->` and `<!-- NAME:end -->` in
 * BENCHMARKS.md, or appends a `## TITLE` section holding it.
 */
export async function writeSection(name, title, writer, text) {
  const begin = `<!-- ${name}:begin (written by ${writer}; edit outside these marks) -->`;
  const end = `<!-- ${name}:end -->`;
  const file = path.join(repoRoot, 'BENCHMARKS.md');
  const old = await readFile(file, 'utf8');
  const block = `${begin}\n${text}${end}`;
  const from = old.indexOf(begin);
  const to = old.indexOf(end);
  const updated =
    from >= 0 && to > from
      ? old.slice(0, from) + block + old.slice(to + end.length)
      : `${old.trimEnd()}\n\n## ${title}\n\n${block}\n`;
  await writeFile(file, updated);
}

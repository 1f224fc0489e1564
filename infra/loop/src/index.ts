// The pieces the local loop's suites share: a copy of the checkout to scaffold in without touching
// the working tree, commands run with the project's tools and their output kept for the failure
// message, and the guide's marked code blocks.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The repository's root, from this package's folder (src/ or dist/). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** The PATH prefix with the project's Node.js 24 and pnpm (scripts/bootstrap.sh prints it). */
export function toolsPath(root: string = REPO_ROOT): string {
  const r = spawnSync(join(root, 'scripts/bootstrap.sh'), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bootstrap failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Copies the checkout to `dest` without node_modules, dist or caches: the files of the commit HEAD
 * names, since other work in the same working tree may be half done; with `worktree`, the files as
 * they are on disk (tracked and untracked but not ignored), to try changes before committing them.
 * `.tools` is linked, not copied, so bootstrap finds Node.js and pnpm there instead of fetching them.
 */
export function copyCheckout(dest: string, o: { root?: string; worktree?: boolean } = {}): void {
  const root = o.root ?? REPO_ROOT;
  mkdirSync(dest, { recursive: true });
  if (o.worktree) {
    const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
    for (const file of new Set(r.stdout.split('\0').filter(Boolean))) {
      const from = join(root, file);
      // Deleted in the working tree but still in the index.
      if (!existsSync(from) || !lstatSync(from).isFile()) continue;
      mkdirSync(dirname(join(dest, file)), { recursive: true });
      copyFileSync(from, join(dest, file));
    }
  } else {
    const r = spawnSync('bash', ['-c', 'git -C "$1" archive HEAD | tar -x -C "$2"', '-', root, dest], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git archive HEAD failed: ${r.stderr}`);
  }
  symlinkSync(join(root, '.tools'), join(dest, '.tools'));
}

/** PAYSTREAM_LOOP_WORKTREE=1: the suites copy the working tree instead of HEAD. */
export const COPY_WORKTREE = process.env.PAYSTREAM_LOOP_WORKTREE === '1';

export interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

const execFileP = promisify(execFile);

/** Runs a command; a failure throws with the tail of both streams, which is what explains it. */
export async function run(
  command: string,
  args: readonly string[],
  o: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<RunResult> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileP(command, [...args], {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: o.timeoutMs ?? 10 * 60_000,
    });
    return { stdout, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${o.cwd}) failed: ${e.message.split('\n')[0]}\n` +
        `--- stdout\n${(e.stdout ?? '').slice(-6000)}\n--- stderr\n${(e.stderr ?? '').slice(-4000)}`,
    );
  }
}

/** A fenced block of a Markdown file with its info string's words after the language. */
export interface FencedBlock {
  lang: string;
  /** `key=value` words of the info string (` ```ts path=src/index.ts `); a bare word maps to ''. */
  attrs: Record<string, string>;
  body: string;
  /** 1-based line of the opening fence, for a failure message. */
  line: number;
}

/** Every fenced block (``` or ~~~, three or more) of a Markdown text, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, , fence, info] = open;
    const [lang = '', ...words] = info!.trim().split(/\s+/);
    const attrs: Record<string, string> = {};
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 0) attrs[w] = '';
      else attrs[w.slice(0, eq)] = w.slice(eq + 1);
    }
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^ {0,3}${fence![0]}{${fence!.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!);
    if (j === lines.length) throw new Error(`the block opened on line ${i + 1} is never closed`);
    blocks.push({ lang, attrs, body: `${body.join('\n')}\n`, line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The shell commands of a block: comments dropped, `\`-continued lines joined. */
export function commandsOf(block: FencedBlock): string[] {
  return block.body
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export type { AllInOneProcess } from './allinone.js';
export { payOrder, startAllInOneProcess } from './allinone.js';

// The public API of a published package, as its type declarations state it: every export of every
// entry point with its declaration printed without comments. Committed beside the package
// (api-report.json), it makes a change to the API visible in review, and lets a test tell an
// addition (a minor version) from a removal or a changed signature (a major one).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export interface ApiReport {
  package: string;
  /** The version the report was taken at. */
  version: string;
  /** Entry point ("." or "./testing") → export name → its declaration(s). */
  entryPoints: Record<string, Record<string, string>>;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

function declarationText(decl: ts.Declaration): string {
  const file = decl.getSourceFile();
  // A variable's statement carries its `declare const`; the declaration alone would lose it.
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  return printer.printNode(ts.EmitHint.Unspecified, node, file).replace(/\s+/g, ' ').trim();
}

function entryPointExports(program: ts.Program, file: string): Record<string, string> {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is not part of the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return {};
  const out: Record<string, string> = {};
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const texts = (target.declarations ?? []).map(declarationText);
    out[exported.getName()] = texts.join('\n');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The report of the package in `dir`, from its built declarations (build it first). */
export function apiReport(dir: string): ApiReport {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    exports: Record<string, { types?: string }>;
  };
  const entries = Object.entries(manifest.exports)
    .filter(([, e]) => typeof e.types === 'string')
    .map(([entry, e]) => [entry, join(dir, e.types!)] as const);
  const program = ts.createProgram(
    entries.map(([, f]) => f),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  return {
    package: manifest.name,
    version: manifest.version,
    entryPoints: Object.fromEntries(
      entries.map(([entry, file]) => [entry, entryPointExports(program, file)]),
    ),
  };
}

export interface ApiChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

/** What changed from `before` to `after`, export by export ("./testing#startTestHost"). */
export function compareReports(before: ApiReport, after: ApiReport): ApiChanges {
  const flat = (r: ApiReport) =>
    new Map(
      Object.entries(r.entryPoints).flatMap(([entry, exports]) =>
        Object.entries(exports).map(([name, text]) => [`${entry}#${name}`, text] as const),
      ),
    );
  const a = flat(before);
  const b = flat(after);
  return {
    added: [...b.keys()].filter((k) => !a.has(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
    changed: [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)),
  };
}

const major = (version: string) => Number(version.split('.')[0]);

/**
 * Why the committed report cannot stand, or undefined when it matches. A removal or a changed
 * export without a major version above the report's is refused as a breaking change.
 */
export function reportProblem(committed: ApiReport, current: ApiReport): string | undefined {
  const c = compareReports(committed, current);
  const breaking = [...c.removed.map((k) => `removed ${k}`), ...c.changed.map((k) => `changed ${k}`)];
  if (breaking.length > 0 && major(current.version) <= major(committed.version))
    return `${current.package}: a breaking change without a major version (still ${current.version}): ${breaking.join('; ')}. Add a major changeset (pnpm changeset), run pnpm changeset version, then pnpm --filter @paystream/registry run api:update`;
  if (c.added.length + breaking.length > 0 || committed.version !== current.version)
    return `${current.package}: api-report.json is out of date (${[...c.added.map((k) => `added ${k}`), ...breaking].join('; ') || `version ${committed.version} → ${current.version}`}). Run pnpm --filter @paystream/registry run api:update and commit it`;
  return undefined;
}

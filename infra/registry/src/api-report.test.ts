import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ApiReport, apiReport, compareReports, reportProblem } from './api-report.js';
import { PUBLIC_PACKAGES, workspacePackages } from './packages.js';

const root = resolve(import.meta.dirname, '../../..');

const report = (version: string, exports: Record<string, string>): ApiReport => ({
  package: '@paystream/plugin-sdk',
  version,
  entryPoints: { '.': exports },
});
const v1 = report('1.0.0', {
  definePlugin: 'export declare function definePlugin(spec: PluginSpec): PluginFactory;',
  formatAmount: 'export declare function formatAmount(minor: number, currency: Currency): string;',
});

describe('the API report of a published package', () => {
  it('is unchanged when nothing changed', () => {
    expect(reportProblem(v1, structuredClone(v1))).toBeUndefined();
  });

  it('refuses a removed export without a major version', () => {
    const after = report('1.1.0', { definePlugin: v1.entryPoints['.']!.definePlugin! });
    expect(compareReports(v1, after).removed).toEqual(['.#formatAmount']);
    expect(reportProblem(v1, after)).toMatch(
      /breaking change without a major version \(still 1\.1\.0\): removed \.#formatAmount/,
    );
  });

  it('refuses a changed signature without a major version', () => {
    const after = report('1.0.1', {
      ...v1.entryPoints['.'],
      formatAmount: 'export declare function formatAmount(minor: bigint, currency: Currency): string;',
    });
    expect(reportProblem(v1, after)).toMatch(/breaking change.*changed \.#formatAmount/);
  });

  it('takes a breaking change with a major version, once the report is updated', () => {
    const after = report('2.0.0', { definePlugin: v1.entryPoints['.']!.definePlugin! });
    expect(reportProblem(v1, after)).toMatch(/api-report\.json is out of date \(removed \.#formatAmount\)/);
    expect(reportProblem(after, structuredClone(after))).toBeUndefined();
  });

  it('asks for the report to be updated when an export is added', () => {
    const after = report('1.1.0', {
      ...v1.entryPoints['.'],
      minorUnits: 'export declare const minorUnits: number;',
    });
    expect(compareReports(v1, after)).toEqual({ added: ['.#minorUnits'], removed: [], changed: [] });
    expect(reportProblem(v1, after)).toMatch(/out of date \(added \.#minorUnits\)/);
  });

  it.each(PUBLIC_PACKAGES)('%s matches its committed api-report.json', (name) => {
    const pkg = workspacePackages(root).get(name)!;
    const committed = JSON.parse(readFileSync(join(pkg.dir, 'api-report.json'), 'utf8')) as ApiReport;
    expect(reportProblem(committed, apiReport(pkg.dir))).toBeUndefined();
  });
});

// Reads a V8 CPU profile into the two views a benchmark write-up needs: self
// time by function, and by where the code lives (a dependency, a workspace package, Node itself).

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  /** Share of the sampled time that was not idle, %. */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  topFunctions: ProfileShare[];
  byOwner: ProfileShare[];
}

/** Who owns a script: the npm package, the workspace package, or Node.js. */
export function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  if (pkg) return pkg[1]!;
  const workspace = /\/(packages|services|plugins|bench)\/([^/]+)\//.exec(url);
  if (workspace) return workspace[1] === 'bench' ? '@paystream/bench' : `@paystream/${workspace[2]}`;
  return url;
}

/** Sampled time per node, µs. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return selfUs;
}

export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = selfTimes(profile);
  const fn = new Map<string, number>();
  const owner = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const short = url
      .replace(/^.*node_modules\/(?!.*node_modules\/)/, '')
      .replace(/^file:\/\/.*?\/(packages|services|plugins)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const o = ownerOf(url, functionName);
    owner.set(o, (owner.get(o) ?? 0) + us);
  }
  const shares = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, percent: Math.round((us / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy / 1000), topFunctions: shares(fn), byOwner: shares(owner) };
}

/**
 * For each pattern, the share of busy time whose stack holds a frame matching `<function> <url>`:
 * what that code and everything it called cost. A sample counts once per pattern, however many of
 * its frames match, so recursion is not counted twice.
 */
export function inclusiveShares(profile: CpuProfile, patterns: readonly string[]): ProfileShare[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const matchers = patterns.map((name) => ({ name, re: new RegExp(name), us: 0 }));
  let busy = 0;
  for (const [id, us] of selfTimes(profile)) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy += us;
    for (const m of matchers) {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const { functionName, url } = byId.get(at)!.callFrame;
        if (m.re.test(`${functionName} ${url}`)) {
          m.us += us;
          break;
        }
      }
    }
  }
  return matchers.map(({ name, us }) => ({ name, percent: busy ? Math.round((us / busy) * 1000) / 10 : 0 }));
}

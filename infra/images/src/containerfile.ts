// The Containerfiles for teams with Docker: one per image, its base a build argument. They are
// rendered from the same definitions the buildah steps use, committed, and built by `make images`
// too, so what they produce is tested here.
import { APP_DIR, IMAGE_REPOSITORY, IMAGE_UID, type ImageSpec, NODE_PATH } from './images.js';

/** Labels every image carries (OCI annotation keys), version, revision and source given. */
export function ociLabels(
  title: string,
  description: string,
  meta: { version: string; revision: string; source: string },
): Record<string, string> {
  return {
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.description': description,
    'org.opencontainers.image.version': meta.version,
    'org.opencontainers.image.revision': meta.revision,
    'org.opencontainers.image.source': meta.source,
    'org.opencontainers.image.vendor': 'Paystream',
  };
}

const quote = (s: string) => JSON.stringify(s);

function labelLines(labels: Record<string, string>): string {
  return `LABEL ${Object.entries(labels)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' \\\n      ')}`;
}

// The build arguments as the Containerfile spells them (not JavaScript templates).
const ARGS = { version: '$' + '{VERSION}', revision: '$' + '{REVISION}', source: '$' + '{SOURCE}' };

const HEADER = [
  '# Generated from infra/images/src/images.ts by `pnpm --filter @paystream/images generate`;',
  '# edit there. `make images` builds this file too (scripts/images.sh), so it is tested.',
];

/** The base: the root filesystem of Debian's C and C++ runtimes and CA certificates, and Node.js. */
export function baseContainerfile(): string {
  return [
    ...HEADER,
    '#',
    '# The base every Paystream image starts from: libc6, libgcc-s1, libstdc++6, gcc-12-base and',
    '# ca-certificates unpacked (dpkg-deb -x), Node.js 24 at /usr/local/bin/node, and a user 1000.',
    '# Build context: infra/images/.build/base/context (scripts/images.sh prepares rootfs/ in it).',
    'FROM scratch',
    'ARG VERSION=0.0.0',
    'ARG REVISION=unknown',
    'ARG SOURCE=unknown',
    labelLines(ociLabels('Paystream base', 'Debian 12 C/C++ runtimes, CA certificates and Node.js 24', ARGS)),
    'COPY rootfs/ /',
    'ENV PATH=/usr/local/bin:/usr/bin:/bin',
    `USER ${IMAGE_UID}:${IMAGE_UID}`,
    '',
  ].join('\n');
}

/** A service's Containerfile: its production bundle on `BASE`. */
export function serviceContainerfile(s: ImageSpec): string {
  return [
    ...HEADER,
    '#',
    `# ${s.title}: ${s.description}.`,
    `# Build context: infra/images/.build/${s.name}/context (scripts/images.sh prepares app/ in it, the`,
    '# production bundle of `pnpm deploy --prod`). BASE: an image with Node.js 24 at',
    `# ${NODE_PATH}: the base of make images, or an official node:24 image.`,
    `ARG BASE=${IMAGE_REPOSITORY}/base:latest`,
    `FROM $${'{BASE}'}`,
    'ARG VERSION=0.0.0',
    'ARG REVISION=unknown',
    'ARG SOURCE=unknown',
    labelLines(ociLabels(s.title, s.description, ARGS)),
    // Root owns the code, so the service cannot change it even where the root is writable.
    `COPY --chown=0:0 app/ ${APP_DIR}/`,
    ...s.volumes.map((v) => `COPY --chown=${IMAGE_UID}:${IMAGE_UID} data/ ${v}/`),
    `WORKDIR ${APP_DIR}`,
    `ENV ${Object.entries(s.env)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ')}`,
    `USER ${IMAGE_UID}:${IMAGE_UID}`,
    ...(s.volumes.length > 0 ? [`VOLUME ${JSON.stringify(s.volumes)}`] : []),
    `EXPOSE ${s.ports.join(' ')}`,
    'STOPSIGNAL SIGTERM',
    `ENTRYPOINT ${JSON.stringify(s.entrypoint)}`,
    '',
  ].join('\n');
}

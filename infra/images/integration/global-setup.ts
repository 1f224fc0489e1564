// Builds the images the smoke suite runs (the buildah steps and the Containerfiles, as `make images`
// does, without the OCI archives, which nothing here loads), and hands the suite their tag.
// PAYSTREAM_IMAGES_TAG names images built already instead (while working on the suite itself).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { buildImages } from '../src/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    imageTag: string;
    imageRevision: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const prebuilt = process.env.PAYSTREAM_IMAGES_TAG;
  if (prebuilt) {
    const { stdout } = await promisify(execFile)('podman', [
      'image',
      'inspect',
      '--format',
      '{{index .Labels "org.opencontainers.image.revision"}}',
      `localhost/paystream/gateway:${prebuilt}`,
    ]);
    project.provide('imageTag', prebuilt);
    project.provide('imageRevision', stdout.trim());
    return;
  }
  const result = await buildImages({
    skipArchives: true,
    say: (line) => console.info(`images: ${line}`),
  });
  console.info(`images: built in ${result.seconds} s`);
  project.provide('imageTag', result.tag);
  project.provide('imageRevision', result.revision);
}

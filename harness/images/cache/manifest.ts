// What a cached image is and was made from. The key (the folder name) is a hash of the inputs
// (release, arch, recipe version, the media's own checksums), so the same inputs always land
// in the same folder; the files' own checksums are recorded to catch a damaged image later.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { FileRecord, MANIFEST_FILE, sealManifest } from './file-checks.ts';

export { MANIFEST_FILE };

const MediaRecord = z.object({
  file: z.string(),
  url: z.string(),
  algorithm: z.enum(['sha256', 'sha512']),
  hex: z.string().regex(/^[0-9a-f]+$/),
});

export const ImageManifest = z.object({
  schema: z.literal(1),
  name: z.string(),
  /** A registered guest OS (harness/guests/registry.ts). */
  os: z.string().min(1),
  release: z.string(),
  arch: z.string(),
  recipeVersion: z.number().int(),
  key: z.string(),
  createdAt: z.string(),
  media: z.array(MediaRecord),
  /** How the media were trusted, in words ("SHA256 list signature-checked with ..."). */
  trust: z.string(),
  files: z.array(FileRecord),
  disk: z.object({ path: z.string(), format: z.enum(['qcow2', 'raw']) }),
  ssh: z.object({ user: z.string(), privateKey: z.string(), hostKey: z.string() }),
  testUser: z.string(),
  readyMarker: z.string().optional(),
  fallbackNic: z.string().optional(),
});
export type ImageManifest = z.infer<typeof ImageManifest>;
export type MediaRecord = z.infer<typeof MediaRecord>;
export type { FileRecord };

export interface KeyInputs {
  name: string;
  arch: string;
  recipeVersion: number;
  media: Pick<MediaRecord, 'file' | 'algorithm' | 'hex'>[];
}

/** 16 hex digits of SHA-256 over the inputs, written in a fixed order. */
export function imageKey(inputs: KeyInputs): string {
  const canonical = JSON.stringify({
    name: inputs.name,
    arch: inputs.arch,
    recipeVersion: inputs.recipeVersion,
    media: [...inputs.media].sort((a, b) => a.file.localeCompare(b.file)).map((m) => [m.file, m.algorithm, m.hex]),
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export async function readManifest(path: string): Promise<ImageManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(`${path}: not readable JSON (${(e as Error).message})`);
  }
  const parsed = ImageManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(`${path}: field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export async function writeManifest(path: string, m: ImageManifest): Promise<void> {
  ImageManifest.parse(m);
  await writeFile(path, sealManifest(m), { mode: 0o444 });
}

// What a TypeScript client writes on the types openapi-typescript generates from the
// served /openapi.json (tests/clients/test_generated_clients.py generates candor.ts next
// to this file and compiles both with `tsc --strict`). It must compile, and each line
// marked as an expected error must be one: types that degraded to `any` fail the test.
import type { components, paths } from './candor';

type Schemas = components['schemas'];
type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export type Rating = Json<'/v1/ratings/{host}', 'get'>;
export type Lookup = Json<'/v1/lookup', 'get'>;
export type Batch = Json<'/v1/lookup', 'post'>;
export type PrefixAnswer = Json<'/v1/hosts/prefix/{prefix}', 'get'>;
export type Page = Json<'/v1/services', 'get'>;
export type Detail = Json<'/v1/services/{slug}', 'get'>;
export type Methodology = Json<'/v1/methodology', 'get'>;
export type Bundle = Json<'/v1/bundle', 'get'>;
export type Problem = Schemas['ProblemOut'];
type BatchBody = paths['/v1/lookup']['post']['requestBody']['content']['application/json'];

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    const problem = (await response.json()) as Problem;
    throw new Error(`${problem.status} ${problem.title}: ${problem.detail}`);
  }
  return (await response.json()) as T;
}

export function gradeText(rating: Rating): string {
  return rating.grade ?? 'review in progress';
}

export async function ratingOf(base: string, host: string): Promise<string> {
  const rating = await getJson<Rating>(`${base}/v1/ratings/${encodeURIComponent(host)}`);
  const groups = rating.groups.map((g: Schemas['GroupScoreOut']) => `${g.id}=${g.score ?? '-'}`);
  return `${rating.name} ${gradeText(rating)} ${groups.join(' ')} ${rating.links.html}`;
}

export async function isMeeting(base: string, url: string): Promise<boolean> {
  const answer = await getJson<Lookup>(`${base}/v1/lookup?url=${encodeURIComponent(url)}`);
  return answer.service !== null && answer.meeting;
}

export async function lookupMany(base: string, urls: string[]): Promise<Array<string | null>> {
  const body: BatchBody = { urls };
  const response = await fetch(`${base}/v1/lookup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const batch = (await response.json()) as Batch;
  return batch.results.map((r) => r.service?.slug ?? r.error ?? null);
}

export async function candidatesFor(base: string, prefix: string): Promise<Array<[string, string]>> {
  const answer = await getJson<PrefixAnswer>(`${base}/v1/hosts/prefix/${prefix}`);
  return answer.entries.map((e): [string, string] => [
    e.sha256,
    `${e.service.slug}: ${e.meeting_patterns.map((p) => `${p.host ?? '*'}${p.path}`).join(', ')}`,
  ]);
}

export async function gradeCounts(base: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let next: string | null = '/v1/services?per_page=100';
  while (next) {
    const page: Page = await getJson<Page>(`${base}${next}`);
    for (const item of page.items) {
      const key = item.grade ?? 'none';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    next = page.next;
  }
  return counts;
}

export function levelsOf(detail: Detail): Array<[string, Schemas['Level']]> {
  const officialOnly: Schemas['SourceKind'] = 'official';
  return detail.criteria
    .filter((c) => c.sources.some((s) => s.kind === officialOnly))
    .map((c) => [c.id, c.counted_level]);
}

export function thresholds(methodology: Methodology): string[] {
  const scale = Object.entries(methodology.grading.thresholds).map(([g, min]) => `${g}>=${min}`);
  return [...scale, methodology.grading.lowest_grade, methodology.dataset_version];
}

export function domainsOf(bundle: Bundle): string[] {
  return bundle.services.flatMap((s) => s.domains);
}

// The types are real types, not `any`: each line below must be a compile error.
export function misuses(rating: Rating, answer: PrefixAnswer, detail: Detail): void {
  // @ts-expect-error: a score is a number or null
  const score: string = rating.score;
  // @ts-expect-error: entries are objects, not strings
  const first: string = answer.entries[0];
  // @ts-expect-error: a level is one of six words
  const level: Schemas['Level'] = 'excellent';
  // @ts-expect-error: status is active or discontinued
  const status: 'active' = detail.status;
  void [score, first, level, status];
}

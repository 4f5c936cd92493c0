// The shapes of what the extension keeps and passes around, for the JSDoc types of
// src/ (`npm run typecheck`). The bundle's are docs/bundle-format.md's, as the validator
// (src/lib/bundle.js) returns them.

interface GradeColours {
  background: string;
  text: string;
}

interface Grade {
  letter: string;
  min_score: number | null;
  meaning: string;
  colours: GradeColours | null;
}

interface Methodology {
  version: number;
  levels: string[];
  level_labels: Record<string, string>;
  level_points?: Record<string, number>;
  grades: Grade[];
  groups: { id: string; name: string; weight: number }[];
  criteria: { id: string; name: string; group: string }[];
}

interface MeetingPattern {
  path: string;
  host: string | null;
  query: string[];
}

interface Source {
  url: string;
  kind: 'official' | 'independent';
  section: string;
}

interface ServiceCriterion {
  id: string;
  level: string;
  counted_level: string;
  evidence: string | null;
  sources: Source[];
  latest_period_end?: string;
}

interface Service {
  slug: string;
  name: string;
  company: string | null;
  status: 'active' | 'discontinued';
  grade: string | null;
  score: number | null;
  reviewed_on: string;
  stale: boolean;
  summary: string;
  domains: string[];
  inside: string[];
  meeting_patterns: MeetingPattern[];
  groups: { id: string; score: number | null }[];
  criteria: ServiceCriterion[];
}

interface Bundle {
  format: number;
  version: string;
  generated_at: string;
  methodology: Methodology;
  services: Service[];
}

/** The last good bundle from the API, in storage.local. */
interface Remote {
  bundle: Bundle;
  etag: string | null;
  fetchedAt: string;
  apiUrl: string;
  extensionVersion: string;
}

/** How the last updates went, in storage.local. */
interface UpdateStatus {
  apiUrl?: string;
  lastAttempt?: string;
  lastSuccess?: string;
  lastChange?: string;
  lastError?: string | null;
  rejected?: string | null;
  result?: 'unchanged' | 'updated' | 'failed';
  version?: string;
  failures?: number;
  nextRetry?: string | null;
}

interface Settings {
  apiUrl: string;
  notifications: boolean;
}

/** The data in use: a validated bundle and its match index (src/lib/dataset.js). */
interface Dataset {
  bundle: Bundle;
  index: ReturnType<typeof import('../lib/matcher.js').buildIndex>;
  source: 'api' | 'snapshot';
  fetchedAt: string | null;
}

/** What the badge and the wording need of a service (a legend sample has no more). */
type ServiceLook = Pick<Service, 'name' | 'status' | 'grade' | 'score'>;

/** A match result, as far as the badge is concerned. */
interface BadgeMatch {
  service?: ServiceLook | null;
  meeting?: boolean;
}

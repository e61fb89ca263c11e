/** Types of tests/artefacts.js (plain JavaScript, read by .mocharc.js before ts-node). */
export interface Artefact {
    id: string;
    files: string[];
    /** Names whose use in a test module means it reads the artefact. */
    markers: string[];
    /** The official source it is fetched from when the vendor folder lacks it. */
    source: string;
}
export const ARTEFACTS: Artefact[];
export const VENDOR: string;
export const CACHE: string;
export function artefactDir(id: string): string;
export function artefactsByModule(): Map<string, Set<string>>;
export function resolveArtefacts(): Record<string, { dir?: string; reason?: string }>;
export function planTestFiles(): { run: string[]; skipped: { file: string; reason: string }[] };

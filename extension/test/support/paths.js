// Where things live, seen from the extension's tests.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const EXTENSION_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const PROJECT_ROOT = path.resolve(EXTENSION_DIR, '..');
export const CANDOR_BIN = process.env.CANDOR_BIN ?? path.join(PROJECT_ROOT, '.venv', 'bin', 'candor');
export const VENV_PYTHON = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
export const VECTORS_FILE = path.join(PROJECT_ROOT, 'tests', 'vectors', 'urls.json');
export const SAMPLE_BUNDLE = path.join(EXTENSION_DIR, 'test', 'fixtures', 'sample-bundle.json');
export const DIST_DIR = path.join(EXTENSION_DIR, 'dist');
export const SCREENSHOTS_DIR = path.join(EXTENSION_DIR, 'test', 'screenshots');
export const STORE_SCREENSHOTS_DIR = path.join(EXTENSION_DIR, 'store', 'screenshots');

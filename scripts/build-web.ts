/**
 * npm run build:web [-- --if-stale]
 * Builds the map application (web/) with Vite into dist/web. With --if-stale it builds only
 * when the sources changed since the last build (`npm start` runs it that way, so a fresh
 * clone serves the app and an unchanged one starts without rebuilding).
 */
import { parseArgs } from 'node:util';
import { buildWeb } from './lib/web-build.js';

const { values } = parseArgs({ options: { 'if-stale': { type: 'boolean', default: false } } });
const result = await buildWeb({ ifStale: values['if-stale'] });
console.log(result.built ? `web app built into dist/web in ${(result.ms / 1000).toFixed(1)} s` : 'web app up to date (dist/web)');

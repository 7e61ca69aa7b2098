import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWebWorld, type Account, type WebWorld } from './support/browser.js';

/**
 * Accessibility (issue 15): axe-core run in Chromium on every page, for the roles that use it, on
 * a desktop and on a 390 × 844 touch phone, with the page as its user finds it (the map drawn,
 * the panel as it opens). No serious or critical violation; the page's outline has its heading.
 * axe is evaluated through the DevTools protocol, so the page's CSP stays as it is.
 */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };

let w: WebWorld;
beforeAll(async () => { w = await openWebWorld(); });
afterAll(async () => { await w?.close(); });

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

const PAGES: [string, Account][] = [
  ['/', 'officer'], ['/', 'public'], ['/', 'planner'], ['/community', 'public'], ['/community', 'community'],
  ['/briefing', 'officer'], ['/rollups', 'planner'], ['/import', 'planner'], ['/import', 'officer'], ['/patrol-codes', 'planner'], ['/patrol-plans', 'planner'], ['/admin', 'admin'],
];

describe.each([['a desktop', undefined], ['a phone', PHONE]] as const)('on %s', (_, viewport) => {
  it.each(PAGES)('%s as %s has no serious or critical violation', async (path, as) => {
    const p = await w.open(path, as, viewport);
    // On a phone the panel is opened, as its user would, so its controls are checked too.
    if (viewport && await p.page.locator('.panel-toggle').count()) await p.page.locator('.panel-toggle').tap();
    await p.page.evaluate(AXE);
    const violations = await p.page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
    });
    const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(grave, JSON.stringify(grave, null, 1)).toEqual([]);
    expect(violations.map((v) => v.id)).not.toContain('page-has-heading-one');
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});

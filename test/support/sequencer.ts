import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Browser files first. Two files run at a time, and the browser files are the longest (the
 * editing, map and phone files take one and a half to two minutes each; most others seconds):
 * started first, the short files fill in around them and the run ends with short files on both
 * workers, not with one long file on one. Within each group the order is vitest's own (cached
 * durations when it has them, file size on a fresh clone, as in CI).
 */
export default class BrowserFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const browser = (f: TestSpecification) => /\/test\/web-[^/]+\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter(browser), ...sorted.filter((f) => !browser(f))];
  }
}

// Folders the tests write in, under the system's temp folder, removed when
// the tests that made them are done (a run left hundreds in /tmp before).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * Call at a test file's top level (or in a describe): the function it returns
 * makes a new folder named `prefix` plus a unique suffix, and every folder it
 * made is removed after that file's (or describe's) tests.
 */
export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

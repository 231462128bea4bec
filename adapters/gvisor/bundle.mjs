// Writes the OCI bundle the agent runs in: `runsc spec`'s defaults, with the
// root a read-only view of the host's `/` (so node and this checkout are
// there), stdio as pipes (`terminal: false`) and the checkout as cwd.
// usage: node bundle.mjs BUNDLE_DIR RUNSC_VERSION -- COMMAND...
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const [dir, version, dashes, ...command] = process.argv.slice(2);
if (!dir || dashes !== "--" || command.length === 0) {
  process.stderr.write("usage: node bundle.mjs BUNDLE_DIR RUNSC_VERSION -- COMMAND...\n");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
execFileSync("runsc", ["spec", "--", ...command], { cwd: dir });
const path = join(dir, "config.json");
const spec = JSON.parse(readFileSync(path, "utf8"));
spec.root = { path: "/", readonly: true };
spec.process.terminal = false;
spec.process.cwd = resolve(import.meta.dirname, "../..");
spec.process.env = [...spec.process.env, `NFCONFORM_RUNSC_VERSION=${version}`];
writeFileSync(path, JSON.stringify(spec, null, 1));

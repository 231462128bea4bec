#!/usr/bin/env bash
# Ships like a CLI (issue 19 item 3): packs the npm tarball (prepack cleans
# and builds dist/), installs it into a fresh prefix and globally into
# another, and runs the installed `nfconform` from an empty directory outside
# the checkout: `list`, a model run, and (with --kernel) a short kernel run,
# which loads koffi's prebuilt binary. Too slow for `npm test` (the build
# alone takes 20-60 s): run it by hand or from CI with `npm run pack-check`.
#
#   scripts/pack-check.sh [--kernel] [--prebuilt] [--keep]
#
# --prebuilt packs dist/ as it is (npm pack --ignore-scripts: no second build,
# for CI after scripts/setup); --kernel adds the kernel run; --keep leaves the
# temporary directory.
#
# Dependencies come from the npm cache when it has them (--offline), else
# from the registry. Prints one line per step with its time; exits non-zero
# at the first step that fails, naming it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
kernel=0
keep=0
prebuilt=0
for arg in "$@"; do
  case "$arg" in
    --kernel) kernel=1 ;;
    --keep) keep=1 ;;
    --prebuilt) prebuilt=1 ;;
    *)
      echo "pack-check: unknown option $arg (use --kernel, --prebuilt, --keep)" >&2
      exit 2
      ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/nfconform-pack.XXXXXX")"
[ "$keep" -eq 1 ] || trap 'rm -rf "$work"' EXIT

step() {
  local name="$1"
  shift
  local start=$SECONDS
  if ! "$@" >"$work/step.log" 2>&1; then
    echo "pack-check: FAILED: $name ($((SECONDS - start)) s)" >&2
    tail -20 "$work/step.log" >&2
    exit 1
  fi
  echo "pack-check: ok: $name ($((SECONDS - start)) s)"
}

if [ "$prebuilt" -eq 1 ]; then
  # The bundle must be newer than every compiled file: a tsc after the bundle would ship stale code.
  fresh_bundle() {
    test -z "$(find dist -name '*.js' -not -path 'dist/bundle/*' -newer dist/bundle/main.js | head -1)" ||
      { echo "dist/bundle/ is older than the compiled files: run npm run build"; return 1; }
  }
  pack() { (cd "$repo" && test -f dist/cli/main.js && fresh_bundle && npm pack --silent --ignore-scripts --pack-destination "$work"); }
  step "npm pack (dist/ as built)" pack
else
  pack() { (cd "$repo" && npm pack --silent --pack-destination "$work"); }
  step "npm pack (prepack: clean, build)" pack
fi
tarball="$(ls "$work"/nfconform-*.tgz)"

# What the tarball holds: compiled code and docs, no TypeScript sources, tests or benchmarks.
check_contents() {
  local list
  list="$(tar -tzf "$tarball")"
  grep -qx "package/bin/nfconform" <<<"$list"
  grep -qx "package/dist/cli/main.js" <<<"$list"
  grep -qx "package/dist/bundle/main.js" <<<"$list"
  grep -qx "package/README.md" <<<"$list"
  grep -qx "package/docs/adapter-protocol.md" <<<"$list"
  if grep -E '\.ts$|\.map$|^package/(test|bench|dist/bench|scripts|corpus)/' <<<"$list"; then return 1; fi
  echo "$(wc -l <<<"$list") files"
}
step "tarball contents" check_contents

install_into() {
  npm install "$@" --offline --no-audit --no-fund --loglevel=error "$tarball" ||
    npm install "$@" --no-audit --no-fund --loglevel=error "$tarball"
}
mkdir -p "$work/project" "$work/global" "$work/empty"
step "install into a project prefix" install_into --prefix "$work/project"
step "install globally (-g) into a prefix" install_into --global --prefix "$work/global"

# From an empty directory outside the checkout: reports land there, nothing is read from the repository.
cd "$work/empty"
step "npm exec nfconform list" npm exec --prefix "$work/project" -- nfconform list
step "npm exec nfconform run --iut model --runs 5 --seed 1" \
  npm exec --prefix "$work/project" -- nfconform run --iut model --runs 5 --seed 1
step "reports written in the working directory" ls -d "$work"/empty/reports/*/report.json
step "global nfconform list" "$work/global/bin/nfconform" list
if [ "$kernel" -eq 1 ]; then
  step "npm exec nfconform run --iut linux --area checksum (koffi)" \
    npm exec --prefix "$work/project" -- nfconform run --iut linux --area checksum --runs 5 --seed 1 --out "$work/empty/reports/linux"
fi
echo "pack-check: passed ($SECONDS s in all; tarball $(du -k "$tarball" | cut -f1) KiB)"

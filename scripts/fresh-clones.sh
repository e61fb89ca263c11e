#!/usr/bin/env bash
# Runs the README's set-up on N fresh clones in a row (default 5), as .ci/run
# does: `git clone`, `npm ci`, then `CI=true npm test` with every artefact
# required. Each clone is of this repository's committed HEAD, in a new
# temporary folder, so no cache (the extracted helm, node_modules) carries
# over. Prints one line per run and a summary; exits 1 if any run failed.
# The logs of failed runs are kept and their path printed.
#
#   scripts/fresh-clones.sh [N]
set -uo pipefail
runs=${1:-5}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse --short HEAD)
# The tests read released artefacts from ../shared/vendor beside the repository.
export EKS_SECRETS_ABAC_VENDOR=${EKS_SECRETS_ABAC_VENDOR:-$(cd "$repo/.." && pwd)/shared/vendor}
export EKS_SECRETS_ABAC_REQUIRE_ARTEFACTS=1 CI=true
work=$(mktemp -d "${TMPDIR:-/tmp}/fresh-clones-XXXXXX")
passed=0
failed=0
for i in $(seq 1 "$runs"); do
    clone="$work/clone-$i"
    log="$work/run-$i.log"
    start=$(date +%s)
    if git clone --quiet "$repo" "$clone" >"$log" 2>&1 &&
        (cd "$clone" && npm ci --no-audit --no-fund && npm test) >>"$log" 2>&1; then
        passed=$((passed + 1))
        echo "run $i/$runs of $head: passed in $(($(date +%s) - start)) s ($(grep -Eo '[0-9]+ passing' "$log" | tail -1))"
        rm -rf "$clone" "$log"
    else
        failed=$((failed + 1))
        echo "run $i/$runs of $head: FAILED after $(($(date +%s) - start)) s, log kept: $log"
        grep -E 'ETXTBSY|failing|Error' "$log" | head -5 | sed 's/^/    /'
        rm -rf "$clone"
    fi
done
echo "fresh clones of $head: $passed of $runs passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
rm -rf "$work"

#!/usr/bin/env bash
# Seeds the four fuzz targets from fixtures/ and ../shared/corpus, builds them once and runs each
# for SECONDS (default 1800) one after another, logging libFuzzer's output to fuzz/logs/TARGET.log
# and a summary line per target (wall seconds, executions, crash artifacts) to fuzz/logs/summary.tsv.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (nightly toolchain and cargo-fuzz required;
# FUZZ_NO_BUILD=1 skips the build and runs the binaries already in fuzz/target)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-1800}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(extract_pdf extract_docx extract_odt ruleset_load)
shared=${TENDERLINT_SHARED:-../shared}

mkdir -p fuzz/corpus/{extract_pdf,extract_docx,extract_odt,ruleset_load} fuzz/logs
find fixtures "$shared/corpus" -name '*.pdf' -size -2M -exec cp -t fuzz/corpus/extract_pdf {} + 2>/dev/null || true
find fixtures "$shared/corpus" -name '*.docx' -size -2M -exec cp -t fuzz/corpus/extract_docx {} + 2>/dev/null || true
find fixtures "$shared/corpus" \( -name '*.odt' -o -name '*.fodt' \) -size -2M -exec cp -t fuzz/corpus/extract_odt {} + 2>/dev/null || true
i=0
while IFS= read -r f; do
  i=$((i + 1))
  cp "$f" "fuzz/corpus/ruleset_load/$i-$(basename "$f")"
done < <(find rulesets fixtures -name '*.toml' ! -name pack.toml | sort)

[ -n "${FUZZ_NO_BUILD:-}" ] || (cd fuzz && cargo +nightly fuzz build -s none)
bin=fuzz/target/x86_64-unknown-linux-gnu/release

for t in "${targets[@]}"; do
  log=fuzz/logs/$t.log
  start=$(date +%s)
  set +e
  # The built binary is run directly: `cargo fuzz run` would rebuild first whenever the
  # sources changed since the build above.
  mkdir -p "fuzz/artifacts/$t"
  nice -n 19 "$bin/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$secs" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "fuzz/artifacts/$t" -type f 2>/dev/null | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(date -u -d @"$start" +%FT%TZ)" "$((end - start))" \
    "${execs:-?}" "${peak:-?}" "$crashes" "$rc" | tee -a fuzz/logs/summary.tsv
done

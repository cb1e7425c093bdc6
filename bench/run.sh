#!/usr/bin/env bash
# Side-by-side benchmark of tenderlint against the tools a user would otherwise reach for, in one
# run on one machine, printed as ratios. Needs: python3, pandoc, soffice (corpus generation),
# pdftotext, hyperfine, /usr/bin/time. Writes into bench/out/ (ignored by git).
#
#   bench/run.sh            # build release, generate the corpus if missing, measure, print ratios
set -euo pipefail
cd "$(dirname "$0")/.."
for t in hyperfine pdftotext pandoc python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/run.sh: $t is not installed" >&2; exit 2; }
done
C=bench/out/corpus
[ -f "$C/tender-300p.pdf" ] || python3 bench/gen_corpus.py >/dev/null
cargo build --release --quiet
TL=target/release/tenderlint
OUT=bench/out
mkdir -p "$OUT"

hf() { hyperfine --style basic --warmup 2 --min-runs "${RUNS:-10}" --export-json "$OUT/$1.json" "${@:2}" >/dev/null; }
mean() { python3 -c "import json,sys; r=json.load(open('$OUT/$1.json'))['results']; print(r[$2]['mean'])"; }
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "pages in the PDF: $(pdfinfo $C/tender-300p.pdf | awk '/Pages/ {print $2}')"

hf pdf "pdftotext $C/tender-300p.pdf /dev/null" "$TL scan --quiet --fail-on never --format json $C/tender-300p.pdf -o /dev/null"
p_tool=$(mean pdf 0); p_tl=$(mean pdf 1)
echo "300-page PDF: pdftotext ${p_tool}s, tenderlint scan ${p_tl}s, ratio tenderlint/pdftotext $(ratio $p_tl $p_tool) (target <= 0.6)"

hf docx "pandoc -t plain $C/tender-100p.docx -o /dev/null" "$TL scan --quiet --fail-on never --format json $C/tender-100p.docx -o /dev/null"
d_tool=$(mean docx 0); d_tl=$(mean docx 1)
echo "100-page DOCX: pandoc ${d_tool}s, tenderlint scan ${d_tl}s, speed-up $(ratio $d_tool $d_tl)x (target >= 20)"
echo "100-page DOCX, interleaved: $(python3 bench/interleaved_docx.py 20)"
# The runs above read the compiled rules from the compile cache (docs/scan.md), as every run
# after a binary's first does; the same scan compiling them, for comparison:
hf docx-cold "pandoc -t plain $C/tender-100p.docx -o /dev/null" "TENDERLINT_CACHE_DIR= $TL scan --quiet --fail-on never --format json $C/tender-100p.docx -o /dev/null"
d_tool=$(mean docx-cold 0); d_tl=$(mean docx-cold 1)
echo "100-page DOCX without the compile cache: pandoc ${d_tool}s, tenderlint scan ${d_tl}s, speed-up $(ratio $d_tool $d_tl)x"

RUNS=5 hf batch "$TL scan --quiet --fail-on never --jobs 1 --format json $C/mixed -o /dev/null" "$TL scan --quiet --fail-on never --jobs 2 --format json $C/mixed -o /dev/null"
b1=$(mean batch 0); b2=$(mean batch 1)
echo "200-document batch: --jobs 1 ${b1}s, --jobs 2 ${b2}s, speed-up $(ratio $b1 $b2)x (target >= 1.7)"
echo "200-document batch, interleaved: $(python3 bench/interleaved_batch.py 20)"

/usr/bin/time -v "$TL" scan --quiet --fail-on never --format json "$C/tender-300p.pdf" -o /dev/null 2> "$OUT/time-pdf.txt" || true
kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$OUT/time-pdf.txt")
echo "peak memory on the 300-page PDF: $((kb / 1024)) MB (target <= 150)"
/usr/bin/time -v pdftotext "$C/tender-300p.pdf" /dev/null 2> "$OUT/time-pdftotext.txt"
kb2=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$OUT/time-pdftotext.txt")
echo "peak memory of pdftotext on the same PDF: $((kb2 / 1024)) MB"

echo "rule matching, all shipped rules over ~10 MB of text (cargo bench --bench matching):"
cargo bench --quiet --bench matching 2>/dev/null | grep -E "analyse_|normalise_only|MB/s" || true

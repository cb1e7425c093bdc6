#!/usr/bin/env python3
"""The 101-page DOCX through `pandoc -t plain` and `tenderlint scan`, interleaved, so that load
drifting on a shared machine hits both alike. The order alternates (pandoc, scan, scan, pandoc,
...): a scan right after pandoc was measured 14 ms slower than one after a scan (pandoc leaves
the caches and the kernel's free pages to refill), so each tool follows each as often. Prints
medians and three ratios (pandoc's time over tenderlint's).

Usage: bench/interleaved_docx.py [PAIRS]   (after bench/run.sh has built the corpus)
"""
import statistics
import subprocess
import sys
import time

TL = "target/release/tenderlint"
DOCX = "bench/out/corpus/tender-100p.docx"
COMMANDS = {
    "pandoc": ["pandoc", "-t", "plain", DOCX, "-o", "/dev/null"],
    "tenderlint": [TL, "scan", "--quiet", "--fail-on", "never", "--format", "json", DOCX,
                   "-o", "/dev/null"],
}


def main():
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    times = {name: [] for name in COMMANDS}
    for i in range(pairs):
        order = list(COMMANDS.items())
        if i % 2:
            order.reverse()
        for name, command in order:
            start = time.perf_counter()
            subprocess.run(command, check=True)
            times[name].append(time.perf_counter() - start)
    p, t = times["pandoc"], times["tenderlint"]
    mp, mt = statistics.median(p), statistics.median(t)
    pairwise = statistics.median(a / b for a, b in zip(p, t))
    print(f"{pairs} pairs: median pandoc {mp:.3f} s, tenderlint scan {mt * 1000:.1f} ms, "
          f"speed-up {mp / mt:.1f}x; median of pairwise ratios {pairwise:.1f}x; ratio of "
          f"minimums {min(p) / min(t):.1f}x (target >= 20)")


if __name__ == "__main__":
    main()

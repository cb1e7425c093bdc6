#!/usr/bin/env python3
"""The 200-document batch with --jobs 1 and --jobs 2, interleaved (j1, j2, j1, j2, ...), so
that load drifting on a shared machine hits both alike. Prints medians and three ratios.

Usage: bench/interleaved_batch.py [PAIRS]   (after bench/run.sh has built the corpus)
"""
import statistics
import subprocess
import sys
import time

TL = "target/release/tenderlint"
CORPUS = "bench/out/corpus/mixed"


def command(jobs):
    return [TL, "scan", "--quiet", "--fail-on", "never", "--jobs", str(jobs),
            "--format", "json", CORPUS, "-o", "/dev/null"]


def main():
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    times = {1: [], 2: []}
    for _ in range(pairs):
        for jobs in (1, 2):
            start = time.perf_counter()
            subprocess.run(command(jobs), check=True)
            times[jobs].append(time.perf_counter() - start)
    m1, m2 = statistics.median(times[1]), statistics.median(times[2])
    pairwise = statistics.median(a / b for a, b in zip(times[1], times[2]))
    print(f"{pairs} pairs: median --jobs 1 {m1:.3f} s, --jobs 2 {m2:.3f} s, ratio {m1 / m2:.3f}; "
          f"median of pairwise ratios {pairwise:.3f}; ratio of minimums "
          f"{min(times[1]) / min(times[2]):.3f} (target >= 1.7)")


if __name__ == "__main__":
    main()

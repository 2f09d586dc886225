"""Runs one benchmark command under two builds in turn and prints medians.

    python3 benchmarks/compare.py --runs 7 \
        --baseline ../base/.venv/bin/python --candidate .venv/bin/python \
        -- exchange.py bulk 256

Each run is a fresh process: the baseline and the candidate alternate
(B A B A ...), so a machine whose speed drifts while measuring slows both
alike.  The figure a run reports is the last number on its last line before
a unit ("... 1700.5 MB/s", "... 86627 req/s"), the benchmark's own timing of
its loop; the CPU seconds are the whole process's (user + system, from the
operating system).  The ratio is candidate / baseline of the medians, for
the rate, and baseline / candidate for the CPU time, so above 1 is faster.
Any other command line that prints such a rate can be compared the same way,
including a C program (give the two binaries as --baseline and --candidate
and nothing after ``--`` but its arguments).

On a machine shared with other work, ``--cpu-clock`` (Python scripts only)
runs the script with ``time.perf_counter`` replaced by ``time.process_time``,
so that its own timing counts the CPU time the process got, not the time
it waited for a processor.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys

# Runs the script argv[1] as __main__ with the process's CPU clock as its
# perf_counter.
# Run as the script itself would be: its directory first on sys.path.
CPU_CLOCK_PRELUDE = (
    "import os, runpy, sys, time; time.perf_counter = time.process_time; "
    "sys.argv = sys.argv[1:]; "
    "sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0])); "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)

RATE = re.compile(r"([0-9.]+) (MB/s|req/s)\s*$")


def run_once(command, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    match = RATE.search(output.strip().splitlines()[-1])
    if match is None:
        raise SystemExit("no rate in the output of %s: %r" % (command, output))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(match.group(1)), match.group(2), cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--baseline", required=True, help="interpreter (or program) of the baseline"
    )
    parser.add_argument(
        "--candidate", required=True, help="interpreter (or program) of the candidate"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cpu-clock", action="store_true", help="time a Python script's loop by CPU time"
    )
    parser.add_argument("args", nargs="+", help="what follows the interpreter on each command")
    options = parser.parse_args()
    prefix = ["-c", CPU_CLOCK_PRELUDE] if options.cpu_clock else []
    figures = {"baseline": [], "candidate": []}
    unit = None
    for _ in range(options.runs):
        for name in ("baseline", "candidate"):
            program = os.path.expanduser(getattr(options, name))
            rate, unit, cpu = run_once([program] + prefix + options.args)
            figures[name].append((rate, cpu))
    medians = {}
    for name, runs in figures.items():
        rate = statistics.median(r for r, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[name] = rate, cpu
        print(
            "%-9s median %12.1f %s  (min %.1f, max %.1f)  cpu %.3f s"
            % (name, rate, unit, min(r for r, _ in runs), max(r for r, _ in runs), cpu)
        )
    (base_rate, base_cpu), (cand_rate, cand_cpu) = (medians["baseline"], medians["candidate"])
    print(
        "ratio     %.2fx by rate, %.2fx by whole-process cpu"
        % (cand_rate / base_rate, base_cpu / cand_cpu)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

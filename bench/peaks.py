"""Peak detection (issues 8 and 21): false-positive rate and probability of detection of the
improved Farrington method on simulated series, side by side with R's farringtonFlexible, and
its speed.

Run: .venv/bin/python bench/peaks.py [--design noufaily|local] [--seeds 1,2,3] [--series N]
        [--scenarios 1-28] [--no-r] [--alpha 0.01] [--spans 1,2] [--jobs 2] [--before]
        [--no-timing] [--quick]

--design noufaily (the default; bench/peaks_noufaily.py): the simulation design of Noufaily
et al. (2013, Statistics in Medicine 32:1206-1222) as replicated publicly: 28 scenarios (seven
base settings of theta, beta, g1, g2, phi, each with and without trend and with and without
annual seasonality), 624 weeks, four past outbreaks of k in {2, 3, 5, 10} x SD in the five
years before the judged weeks, and per series ten current outbreaks (k = 1..10 x SD, one at a
time) in the last 49 weeks, spread over weeks by a lognormal(0, 0.5) delay. --series series per
scenario and seed (default 20), for each of --seeds (default 1,2,3: 1,680 series). Judged by
Noaber default (two looks), Noaber with one look (spans=(1,)) and, where Rscript with the
surveillance package is installed (Debian: r-cran-surveillance), R's farringtonFlexible with
the Noufaily settings (bench/peaks_r.R, one Rscript process) on the very same series; without
R the bench says so and goes on. R's verdicts are kept in var/bench-cache/ per seed and
scenario, under a hash of R's input, bench/peaks_r.R, alpha and R's version: a second run on
the same seeds runs Noaber only (delete the directory to judge again). --before adds Noaber's
default before issue 21's point 2 (plug-in threshold, alpha split evenly). Prints FPR (alarms
in the 49 weeks of the series without a current outbreak / judged weeks) and POD per k
(detected if any week with outbreak cases alarms), overall and for the low-count scenarios (theta <= 0.5) separately, POD over k >= 3
and k >= 6, the paired differences Noaber - R with 95 % bootstrap intervals over series and
McNemar's exact p for the PODs, the default's POD difference per k with its interval, a
table per scenario, and the time each method took for the same judgements. --scenarios picks
some (e.g. 1-4,13) to develop on.

--design local: the project's own earlier simulation (issue 8): six scenarios in the spirit of
the paper's table and three at Dinkelland's small counts (Halt referrals 12 a year, E33
incidents 58 a year, property crimes 215 a year), seven years per series, --series series per
scenario and outbreak size (default 100), POD at k = 2, 4, 6, 8, 10; --profile single puts the
whole current outbreak in one week; --sparse-mean sets the fallback's threshold. Kept so that
the figures recorded for issue 8 stay reproducible and because the Dinkelland scenarios are not
in the paper's design.

Both designs end with the speed test (skip with --no-timing; --timing-only for it alone):
detection over 500 series of seven years (364 weeks: five years and more back for each judged
week, which R needs) of weekly data, judging the last week (limit 1 s) and each of the last 52 weeks (limit 15 s), one
process, and R's farringtonFlexible on the same judgements where it is installed (one
process; its time without package load and files). Record the printed figures in
docs/performance.md.
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import peaks_noufaily  # noqa: E402

from noaber.insight.peaks import Params, detect, detect_range  # noqa: E402

WEEKS = 7 * 52
EVAL = 49
KS = (2, 4, 6, 8, 10)
PAST_OUTBREAKS = 4
AIM_FPR = 0.01
AIM_POD6 = 0.7


@dataclass(frozen=True)
class Scenario:
    name: str
    theta: float
    beta: float  # trend per week
    m: int  # harmonics
    g1: float
    g2: float
    phi: float  # variance / mean; 1 = Poisson

    def mean(self, weeks: int = WEEKS) -> np.ndarray:
        t = np.arange(1, weeks + 1)
        season = sum(
            self.g1 * np.cos(2 * np.pi * j * t / 52) + self.g2 * np.sin(2 * np.pi * j * t / 52)
            for j in range(1, self.m + 1)
        )
        return np.exp(self.theta + self.beta * t + season)


SCENARIOS = [
    Scenario("N1 low, flat", 0.5, 0.0, 0, 0.0, 0.0, 1.5),
    Scenario("N2 low, 1 harmonic", 1.0, 0.0, 1, 0.2, -0.4, 2.0),
    Scenario("N3 medium, trend, 1 harm.", 2.5, 0.003, 1, 0.6, 0.6, 2.0),
    Scenario("N4 medium, 2 harmonics", 2.5, 0.0, 2, 0.3, 0.3, 3.0),
    Scenario("N5 high, 1 harmonic", 4.0, 0.0, 1, 0.6, 0.6, 5.0),
    Scenario("N6 high, trend, 2 harm.", 3.5, 0.002, 2, 0.2, -0.4, 2.0),
    Scenario("D1 Halt 12/yr", math.log(12 / 52), 0.0, 1, 0.2, 0.1, 1.5),
    Scenario("D2 E33 58/yr", math.log(58 / 52), 0.0, 1, 0.2, 0.1, 2.0),
    Scenario("D3 property 215/yr", math.log(215 / 52), 0.0, 1, 0.2, 0.1, 1.5),
]


def negbin(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1:
        return rng.poisson(mu)
    size = mu / (phi - 1)
    return rng.negative_binomial(size, size / (size + mu))


def outbreak(rng: np.random.Generator, start: int, k: float, sd: float, weeks: int) -> np.ndarray:
    cases = rng.poisson(k * sd)
    weeks_of_cases = start + np.floor(rng.lognormal(0.0, 0.5, cases)).astype(int)
    added = np.bincount(weeks_of_cases, minlength=weeks)
    return added[:weeks]


def simulate(sc: Scenario, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mu = sc.mean()
    counts = negbin(rng, mu, sc.phi)
    sd = np.sqrt(max(sc.phi, 1) * mu)
    for _ in range(PAST_OUTBREAKS):
        start = int(rng.integers(0, 6 * 52 - 4))
        counts += outbreak(rng, start, int(rng.integers(2, 11)), sd[start], WEEKS)
    return counts, sd


def run_series(job: tuple) -> tuple[int, int, int, list[bool], Counter]:
    """One replicate of one scenario: (scenario, false alarms, weeks, detected per k, methods)."""
    index, rep, seed, params, profile = job
    sc = SCENARIOS[index]
    rng = np.random.default_rng([seed, index, rep])
    methods = Counter()
    counts, sd = simulate(sc, rng)
    results = detect_range(counts.tolist(), EVAL, params=params)
    methods.update(r.method for r in results)
    false_alarms = sum(r.alarm for r in results)
    detected = []
    for k in KS:
        counts, sd = simulate(sc, rng)
        start = int(rng.integers(WEEKS - EVAL, WEEKS - 3))
        if profile == "single":
            extra = np.zeros(WEEKS, dtype=int)
            extra[start] = rng.poisson(k * sd[start])
        else:
            extra = outbreak(rng, start, k, sd[start], WEEKS)
        counts = (counts + extra).tolist()
        hit = False
        for week in np.flatnonzero(extra):
            result = detect(counts[: week + 1], params=params)
            methods[result.method] += 1
            hit = hit or result.alarm
        detected.append(hit)
    return index, false_alarms, EVAL, detected, methods


def evaluate(series: int, params: Params, jobs: int, seed: int, profile: str) -> None:
    work = [(i, rep, seed, params, profile) for i in range(len(SCENARIOS)) for rep in range(series)]
    alarms = np.zeros(len(SCENARIOS))
    weeks = np.zeros(len(SCENARIOS))
    hits = np.zeros((len(SCENARIOS), len(KS)))
    methods = [Counter() for _ in SCENARIOS]
    started = time.perf_counter()
    with Pool(jobs) as pool:
        for index, false_alarms, n, detected, used in pool.imap_unordered(run_series, work, 8):
            alarms[index] += false_alarms
            weeks[index] += n
            hits[index] += detected
            methods[index].update(used)
    elapsed = time.perf_counter() - started
    fpr = alarms / weeks
    pod = hits / series

    print(
        f"\nalpha = {params.alpha}, spans = {params.spans}, sparse_mean = {params.sparse_mean}, "
        f"current outbreak profile "
        f"{profile}; {series} series per scenario and outbreak size, {WEEKS} weeks each, "
        f"last {EVAL} judged ({elapsed:.0f} s on {jobs} processes)\n"
    )
    header = "| scenario | mean/week | phi | FPR | " + " | ".join(f"POD k={k}" for k in KS)
    print(header + " | fallback |")
    print("|---" * (5 + len(KS)) + "|")
    for i, sc in enumerate(SCENARIOS):
        mean = float(sc.mean().mean())
        total = sum(methods[i].values())
        share = (methods[i]["fallback"] + methods[i]["declined"]) / total if total else 0
        cells = " | ".join(f"{p:.2f}" for p in pod[i])
        print(f"| {sc.name} | {mean:.2f} | {sc.phi} | {fpr[i]:.2%} | {cells} | {share:.0%} |")
    k6 = KS.index(6)
    for label, rows in (
        ("Noufaily-type (N1-N6)", slice(0, 6)),
        ("Dinkelland (D1-D3)", slice(6, 9)),
        ("all nine", slice(0, 9)),
    ):
        mean_fpr = float(fpr[rows].mean())
        mean_pod = float(pod[rows, k6].mean())
        print(
            f"\n{label}: mean FPR {mean_fpr:.2%} (aim <= 1 %: ratio {mean_fpr / AIM_FPR:.2f}); "
            f"mean POD(6 SD) {mean_pod:.2f} (aim >= 0.7: ratio {mean_pod / AIM_POD6:.2f})"
        )


def timing_r(data: list[list[int]], last_n: int) -> float | None:
    """Seconds R's farringtonFlexible (bench/peaks_r.R, one process, package load and files
    left out) takes to judge the last ``last_n`` weeks of each series; None without R."""
    if peaks_noufaily.r_version()[0] is None:
        return None
    with tempfile.TemporaryDirectory(prefix="noaber-peaks-r-") as tmp:
        path_in, path_out = Path(tmp) / "in.txt", Path(tmp) / "out.csv"
        with path_in.open("w") as f:
            for i, counts in enumerate(data):
                weeks = ",".join(str(w) for w in range(len(counts) - last_n + 1, len(counts) + 1))
                f.write(f"S {i} {' '.join(map(str, counts))}\nJ {i} {i} {weeks} -\n")
        proc = subprocess.run(["Rscript", str(peaks_noufaily.R_SCRIPT), str(path_in),
                               str(path_out), "1"], capture_output=True, text=True)  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"bench/peaks_r.R failed:\n{proc.stderr[-2000:]}")
        return float(re.search(r"elapsed ([\d.]+)", proc.stdout).group(1))


TIMING_WEEKS = 7 * 52  # five years and a window back for each of the last 52 weeks, as R needs


def timing(series: int, seed: int, with_r: bool = True) -> None:
    rng = np.random.default_rng([seed, 99])
    sc = SCENARIOS[2]
    data = [negbin(rng, sc.mean(TIMING_WEEKS), sc.phi).tolist() for _ in range(series)]
    started = time.perf_counter()
    last = [detect(counts) for counts in data]
    one = time.perf_counter() - started
    started = time.perf_counter()
    judged = sum(len(detect_range(counts, 52)) for counts in data)
    many = time.perf_counter() - started
    used = Counter(r.method for r in last)
    years = Counter(r.years_back_used for r in last)
    r_one = timing_r(data, 1) if with_r else None
    r_many = timing_r(data, 52) if with_r else None
    versus = (f"; R farringtonFlexible {r_one:.2f} s, {r_one / one:.1f}x Noaber's time"
              if r_one else "; R not run")  # fmt: skip
    print(
        f"\nspeed: {series} series of {TIMING_WEEKS} weeks, judging the last week: {one:.2f} s "
        f"(limit 1 s: {one / 1.0:.2f} of it; {one / series * 1000:.1f} ms a series{versus}; "
        f"methods {dict(used)}, years back {dict(years)})"
    )
    versus = (f"; R {r_many:.1f} s, {r_many / many:.1f}x Noaber's time" if r_many
              else "; R not run")  # fmt: skip
    print(
        f"speed: {series} series of {TIMING_WEEKS} weeks, judging each of the last 52 weeks "
        f"({judged} judgements): {many:.1f} s (limit 15 s: {many / 15:.2f} of it; "
        f"{many / judged * 1000:.2f} ms a judgement{versus}), one process"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--design", choices=("noufaily", "local"), default="noufaily")
    parser.add_argument(
        "--series", type=int, help="per scenario (and seed, or outbreak size): 20 or 100"
    )
    parser.add_argument("--seeds", default="1,2,3", help="noufaily: fixed seeds, e.g. 1,2,3")
    parser.add_argument("--scenarios", default="1-28", help="noufaily: e.g. 1-4,13")
    parser.add_argument("--no-r", action="store_true", help="noufaily: leave R out")
    parser.add_argument("--timing-series", type=int, default=500)
    parser.add_argument("--alpha", type=float, default=Params.alpha)
    parser.add_argument("--sparse-mean", type=float, default=Params.sparse_mean)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2013, help="local design and timing")
    parser.add_argument(
        "--profile",
        choices=("lognormal", "single"),
        default="lognormal",
        help="local: spread the current outbreak by the lognormal delay (default) or put it in"
        " one week",
    )
    parser.add_argument(
        "--spans",
        default=",".join(str(s) for s in Params.spans),
        help="Farrington looks of Noaber default: sums of the last s weeks, e.g. 1,2",
    )
    parser.add_argument(
        "--before",
        action="store_true",
        help="noufaily: also judge with the default before issue 21's point 2 (plug-in"
        " threshold, alpha split evenly over the looks)",
    )
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument(
        "--timing-only", action="store_true", help="only the speed test (with R where installed)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="20 series (noufaily: 5, one seed), timing over 100"
    )
    args = parser.parse_args()
    if args.quick:
        args.timing_series = 100
        args.series = args.series or (5 if args.design == "noufaily" else 20)
        args.seeds = args.seeds.split(",")[0]
    spans = tuple(int(s) for s in args.spans.split(","))
    params = Params(alpha=args.alpha, sparse_mean=args.sparse_mean, spans=spans)
    if args.timing_only:
        timing(args.timing_series, args.seed, with_r=not args.no_r)
        return
    if args.design == "noufaily":
        seeds = [int(s) for s in args.seeds.split(",")]
        scenarios = peaks_noufaily.parse_scenarios(args.scenarios)
        peaks_noufaily.evaluate(
            seeds, args.series or 20, scenarios, params, args.jobs, not args.no_r, args.before
        )
    else:
        evaluate(args.series or 100, params, args.jobs, args.seed, args.profile)
    if not args.no_timing:
        timing(args.timing_series, args.seed, with_r=not args.no_r)


if __name__ == "__main__":
    main()

"""The benchmark of the field (issue 21): the simulation design of Noufaily et al. (2013),
Noaber's peak detection and R surveillance's farringtonFlexible side by side on the very same
series. Run through bench/peaks.py (``--design noufaily``, the default); see its docstring.

Design (Noufaily, Enki, Farrington, Garthwaite, Andrews, Charlett 2013, Statistics in Medicine
32:1206-1222, section 4): weekly counts, negative binomial with mean
    mu_t = exp(theta + beta t + m [g1 cos(2 pi t / 52) + g2 sin(2 pi t / 52)]),  t = 1..624
and variance phi mu_t (Poisson when phi = 1). Seven base settings of (theta, beta, g1, g2, phi),
each without and with the trend (beta) and without and with annual seasonality (m = 0, 1):
28 scenarios, numbered per base setting: flat, seasonal, trend, trend + seasonal. The
parameter values and the numbering are those of a public replication, K. S. Telkamp's R
scripts for his DTU master thesis "Automated and early detection of disease outbreaks" (2023),
which "try to replicate the outbreak simulation study, as seen in
https://doi.org/10.1002/sim.5595". The paper itself was not at hand to check them against.
(That replication draws its counts with size (mu + mu^2) / (phi mu), which does not give the
variance phi mu its comment names; this bench follows the paper's variance phi mu.)

- Four past outbreaks start at distinct random weeks of 313..575 (the five years and three
  weeks the judgement of week 576 looks back on), of Poisson(k SD) cases with k drawn from
  {2, 3, 5, 10} and SD = sqrt(phi mu) at the start week; each case falls floor(D) weeks after
  the start with D lognormal(0, 0.5).
- The last 49 weeks (576..624) are judged. False-positive rate: the series with its past
  outbreaks but without a current one, judged in each of the 49 weeks (each judgement sees
  only the data up to its week): alarms / judged weeks. That is the paper's definition as the
  replication reads it (the current weeks of series without a current outbreak), not the
  weeks outside the outbreak of a series with one.
- Probability of detection: the same series with one current outbreak of Poisson(k SD) cases
  starting at a random week of the 49, spread by the same lognormal delay (cases that would
  fall after week 624 are not in the series), for each k = 1..10 in turn (ten outbreaks per
  series, each with its own start and cases, so POD per k is paired over the same baselines).
  Every week with outbreak cases is judged; the outbreak is detected if any of them alarms (as
  the paper). An outbreak that drew no case inside the series counts as missed for every
  method.

Methods: Noaber default (``Params()``, two looks), Noaber with one look
(``Params(spans=(1,))``, the paper's method) and, where ``Rscript`` with the surveillance
package is installed, R's ``farringtonFlexible`` with the Noufaily settings of docs/peaks.md
(bench/peaks_r.R; one Rscript process for all series). Differences Noaber - R are paired on
identical series, with 95 % intervals from a bootstrap over series (a series and its ten
outbreaks are resampled together).
"""

import csv
import hashlib
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from scipy import stats

from noaber.insight.peaks import Params, detect, detect_range

WEEKS = 624
EVAL = 49
FIRST_EVAL = WEEKS - EVAL  # 0-based index of week 576
PAST_START = (312, 575)  # 0-based range of past outbreak starts: weeks 313..575
PAST_KS = (2, 3, 5, 10)
KS = tuple(range(1, 11))
LOW_THETA = 0.5
R_SCRIPT = Path(__file__).resolve().parent / "peaks_r.R"

# (theta, beta per week, g1, g2, phi): the seven base settings
BASE = (
    (0.1, 0.0025, 0.6, 0.6, 1.5),
    (-2.0, 0.005, 0.1, 0.3, 2.0),
    (1.5, 0.003, 0.2, -0.4, 1.0),
    (0.5, 0.002, 0.5, 0.5, 5.0),
    (2.5, 0.001, 1.0, 0.1, 3.0),
    (3.75, 0.001, 0.1, -0.1, 1.1),
    (5.0, 0.0001, 0.05, 0.01, 1.2),
)


@dataclass(frozen=True)
class Scenario:
    number: int
    theta: float
    beta: float
    g1: float
    g2: float
    m: int
    phi: float

    @property
    def low(self) -> bool:
        return self.theta <= LOW_THETA

    def mean(self) -> np.ndarray:
        t = np.arange(1, WEEKS + 1)
        season = self.g1 * np.cos(2 * np.pi * t / 52) + self.g2 * np.sin(2 * np.pi * t / 52)
        return np.exp(self.theta + self.beta * t + self.m * season)


SCENARIOS = tuple(
    Scenario(4 * i + 2 * trend + m + 1, theta, beta * trend, g1 * m, g2 * m, m, phi)
    for i, (theta, beta, g1, g2, phi) in enumerate(BASE)
    for trend in (0, 1)
    for m in (0, 1)
)


@dataclass(frozen=True)
class Series:
    scenario: Scenario
    seed: int
    rep: int
    counts: np.ndarray  # the 624 weeks with past outbreaks, without a current one
    outbreaks: tuple  # per k: (0-based weeks with outbreak cases, cases in those weeks)


def _negbin(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1:
        return rng.poisson(mu)
    size = mu / (phi - 1)
    return rng.negative_binomial(size, size / (size + mu))


def _outbreak(rng: np.random.Generator, start: int, cases_mean: float) -> np.ndarray:
    """Cases of one outbreak by week (length WEEKS): Poisson(cases_mean) cases, each
    floor(lognormal(0, 0.5)) weeks after the start; none after the last week."""
    delays = np.floor(rng.lognormal(0.0, 0.5, rng.poisson(cases_mean))).astype(int)
    return np.bincount(start + delays, minlength=WEEKS)[:WEEKS]


def simulate(sc: Scenario, seed: int, rep: int) -> Series:
    rng = np.random.default_rng([seed, sc.number, rep])
    mu = sc.mean()
    sd = np.sqrt(max(sc.phi, 1.0) * mu)
    counts = _negbin(rng, mu, sc.phi)
    for start in rng.choice(np.arange(*PAST_START), len(PAST_KS), replace=False):
        counts += _outbreak(rng, int(start), rng.choice(PAST_KS) * sd[start])
    outbreaks = []
    for k in KS:
        start = int(rng.integers(FIRST_EVAL, WEEKS))
        extra = _outbreak(rng, start, k * sd[start])
        weeks = np.flatnonzero(extra)
        outbreaks.append((weeks, extra[weeks]))
    return Series(sc, seed, rep, counts, tuple(outbreaks))


# --- Noaber -------------------------------------------------------------------------------


def _judge_noaber(job: tuple) -> tuple[list[bool], list[bool], Counter]:
    """False alarms in the 49 weeks and detection per k of one series, with one Params."""
    counts, outbreaks, params = job
    results = detect_range(counts.tolist(), EVAL, params=params)
    methods = Counter(r.method for r in results)
    detected = []
    for weeks, cases in outbreaks:
        y = counts.copy()
        y[weeks] += cases
        y = y.tolist()
        hits = [detect(y[: week + 1], params=params) for week in weeks]
        methods.update(r.method for r in hits)
        detected.append(any(r.alarm for r in hits))
    return [r.alarm for r in results], detected, methods


def run_noaber(series: list[Series], params: Params, jobs: int) -> dict:
    work = [(s.counts, s.outbreaks, params) for s in series]
    started = time.perf_counter()
    with Pool(jobs) as pool:
        out = pool.map(_judge_noaber, work, chunksize=4)
    elapsed = time.perf_counter() - started
    return {
        "alarms": np.array([o[0] for o in out], dtype=bool),
        "detected": np.array([o[1] for o in out], dtype=bool),
        "methods": [o[2] for o in out],
        "seconds": elapsed,
    }


# --- R -------------------------------------------------------------------------------------


def r_version() -> tuple[str | None, str]:
    """('R x.y.z surveillance a.b.c', '') where Rscript and the package are installed, else
    (None, the reason)."""
    if shutil.which("Rscript") is None:
        return None, "Rscript is not installed (Debian: apt-get install r-cran-surveillance)"
    probe = subprocess.run(
        [
            "Rscript",
            "-e",
            'suppressPackageStartupMessages(library(surveillance)); cat("R", '
            'paste(R.version$major, R.version$minor, sep = "."), "surveillance", '
            'as.character(packageVersion("surveillance")))',
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return None, (
            "the R package surveillance is not installed (Debian: apt-get install"
            " r-cran-surveillance)"
        )
    return probe.stdout.strip(), ""


CACHE = Path(__file__).resolve().parent.parent / "var" / "bench-cache"


def _r_input(series: list[Series]) -> str:
    """The input of bench/peaks_r.R for these series (series i, jobs "i:k", k = 0 for the
    outbreak-free weeks)."""
    eval_weeks = ",".join(str(w + 1) for w in range(FIRST_EVAL, WEEKS))
    lines = []
    for i, s in enumerate(series):
        lines.append(f"S {i} {' '.join(map(str, s.counts.tolist()))}")
        lines.append(f"J {i}:0 {i} {eval_weeks} -")
        for k, (weeks, cases) in zip(KS, s.outbreaks, strict=True):
            if len(weeks):
                where = ",".join(str(w + 1) for w in weeks)
                adds = ",".join(f"{w + 1}:{c}" for w, c in zip(weeks, cases, strict=True))
                lines.append(f"J {i}:{k} {i} {where} {adds}")
    return "\n".join(lines) + "\n"


def _run_r_once(series: list[Series], jobs: int, alpha: float) -> dict:
    """Judge the same weeks of the same series with bench/peaks_r.R (one Rscript process,
    ``jobs`` forked workers)."""
    with tempfile.TemporaryDirectory(prefix="noaber-peaks-r-") as tmp:
        path_in, path_out = Path(tmp) / "in.txt", Path(tmp) / "out.csv"
        path_in.write_text(_r_input(series))
        started = time.perf_counter()
        proc = subprocess.run(
            ["Rscript", str(R_SCRIPT), str(path_in), str(path_out), str(jobs), str(alpha)],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"bench/peaks_r.R failed:\n{proc.stderr[-2000:]}")
        inside = float(re.search(r"elapsed ([\d.]+)", proc.stdout).group(1))
        alarms = np.zeros((len(series), EVAL), dtype=bool)
        detected = np.zeros((len(series), len(KS)), dtype=bool)
        missing = np.zeros(len(series), dtype=int)
        with path_out.open() as f:
            for row in csv.DictReader(f):
                i, k = (int(x) for x in row["job"].split(":"))
                if row["alarm"] == "NA":
                    missing[i] += 1
                    continue
                alarm = row["alarm"] == "1"
                if k == 0:
                    alarms[i, int(row["week"]) - 1 - FIRST_EVAL] = alarm
                else:
                    detected[i, k - 1] |= alarm
    # farringtonFlexible judges a range without gaps: weeks between outbreak weeks come along
    gaps = np.array([sum(w[-1] - w[0] + 1 - len(w) for w, _ in s.outbreaks if len(w))
                     for s in series])  # fmt: skip
    share = inside / len(series)  # seconds per series, for the cache
    return {
        "alarms": alarms,
        "detected": detected,
        "gaps": gaps,
        "seconds": np.full(len(series), share),
        "wall": wall,
        "missing": missing,
    }


def _cache_key(chunk: list[Series], alpha: float, version: str) -> str:
    """A hash of everything R's verdicts on these series depend on: the input R reads (the
    series, the weeks judged, the outbreak cases), bench/peaks_r.R, alpha and R's version."""
    digest = hashlib.sha256()
    for part in (_r_input(chunk), R_SCRIPT.read_text(), repr(alpha), version):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def run_r(series: list[Series], jobs: int, alpha: float, version: str = "") -> dict:
    """R's verdicts on the series, from var/bench-cache/ where this seed and scenario was
    judged before with the same input, R script, alpha and R version (the file name is a hash
    of them), from one Rscript run for the rest. R's results for fixed seeds never change
    while Noaber is tuned, so a tuning round runs Noaber only."""
    chunks: dict[tuple[int, int], list[int]] = {}
    for i, s in enumerate(series):
        chunks.setdefault((s.seed, s.scenario.number), []).append(i)
    paths = {}
    todo = []
    for key, rows in chunks.items():
        name = f"r-s{key[0]}-n{key[1]}-{_cache_key([series[i] for i in rows], alpha, version)}"
        paths[key] = CACHE / f"{name}.npz"
        if not paths[key].exists():
            todo.extend(rows)
    out = {
        "alarms": np.zeros((len(series), EVAL), dtype=bool),
        "detected": np.zeros((len(series), len(KS)), dtype=bool),
        "gaps": np.zeros(len(series), dtype=int),
        "seconds": np.zeros(len(series)),
        "missing": np.zeros(len(series), dtype=int),
    }
    wall = 0.0
    done = set(todo)
    if todo:
        fresh = _run_r_once([series[i] for i in todo], jobs, alpha)
        wall = fresh.pop("wall")
        for name, values in fresh.items():
            out[name][todo] = values
        CACHE.mkdir(parents=True, exist_ok=True)
        for key, rows in chunks.items():
            if rows[0] in done:
                np.savez(paths[key], **{name: out[name][rows] for name in out})
    for key, rows in chunks.items():
        if rows[0] not in done:
            with np.load(paths[key]) as cached:
                for name in out:
                    out[name][rows] = cached[name]
    return {
        "alarms": out["alarms"],
        "detected": out["detected"],
        "gaps": int(out["gaps"].sum()),
        "seconds": float(out["seconds"].sum()),
        "wall": wall,
        "missing": int(out["missing"].sum()),
        "cached": len(series) - len(todo),
    }


# --- Statistics and report -----------------------------------------------------------------


def paired(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, draws: int = 2000) -> tuple:
    """Mean of a - b over all cells of the (series x cells) arrays, with a 95 % bootstrap
    interval resampling series, and McNemar's discordant counts (a only, b only)."""
    diff = a.astype(int) - b.astype(int)
    per_series = diff.sum(axis=1)
    cells = a.shape[1]
    estimate = per_series.sum() / (len(per_series) * cells)
    picks = rng.integers(0, len(per_series), (draws, len(per_series)))
    boot = per_series[picks].sum(axis=1) / (len(per_series) * cells)
    low, high = np.percentile(boot, [2.5, 97.5])
    return estimate, low, high, int((diff > 0).sum()), int((diff < 0).sum())


def mcnemar(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value for b and c discordant pairs (binomial, p = 1/2)."""
    if b + c == 0:
        return 1.0
    return float(min(1.0, 2 * stats.binom.cdf(min(b, c), b + c, 0.5)))


def _pct(x: float) -> str:
    return f"{x:.2%}"


def report(series: list[Series], results: dict, r_label: str | None) -> None:
    names = list(results)
    low = np.array([s.scenario.low for s in series])
    ks = np.array(KS)
    numbers = {s.scenario.number for s in series}
    n_low = len({s.scenario.number for s in series if s.scenario.low})
    groups = (
        (f"all {len(numbers)} scenarios", np.ones(len(series), bool)),
        (f"theta <= 0.5 ({n_low} scenarios)", low),
    )
    empty = np.array([[len(w) == 0 for w, _ in s.outbreaks] for s in series])
    print(
        f"\n{len(series)} series; {int(empty.sum())} of {empty.size} current outbreaks drew no"
        " case inside the series (missed by every method)"
    )
    for label, rows in groups:
        if not rows.any():
            continue
        print(
            f"\n{label}: {int(rows.sum())} series, {int(rows.sum()) * EVAL} judged weeks for"
            f" the FPR, {int(rows.sum())} outbreaks per k\n"
        )
        print("| | " + " | ".join(names) + " |")
        print("|---" * (len(names) + 1) + "|")
        print(
            "| FPR | " + " | ".join(_pct(results[n]["alarms"][rows].mean()) for n in names) + " |"
        )
        for k in KS:
            cells = " | ".join(f"{results[n]['detected'][rows, k - 1].mean():.3f}" for n in names)
            print(f"| POD k={k} | {cells} |")
        for least in (3, 6):
            cells = " | ".join(
                f"{results[n]['detected'][rows][:, ks >= least].mean():.3f}" for n in names
            )
            print(f"| POD k>={least} | {cells} |")
    if r_label is None:
        return
    rng = np.random.default_rng(2013)
    print(
        "\nPaired differences Noaber - R on identical series (95 % bootstrap interval over"
        " series; discordant: Noaber only / R only)\n"
    )
    print("| scenarios | measure | method | difference | 95 % interval | discordant | McNemar p |")
    print("|---|---|---|---|---|---|---|")
    for label, rows in groups:
        for name in names[:-1]:
            ours, theirs = results[name], results["R"]
            est, lo, hi, b, c = paired(ours["alarms"][rows], theirs["alarms"][rows], rng)
            print(
                f"| {label} | FPR | {name} | {est:+.2%} | {lo:+.2%} .. {hi:+.2%} |"
                f" {b} / {c} weeks | |"
            )
            for least in (3, 6):
                mask = ks >= least
                est, lo, hi, b, c = paired(
                    ours["detected"][rows][:, mask], theirs["detected"][rows][:, mask], rng
                )
                print(
                    f"| {label} | POD k>={least} | {name} | {est:+.3f} | {lo:+.3f} .. {hi:+.3f}"
                    f" | {b} / {c} outbreaks | {mcnemar(b, c):.2g} |"
                )
    name = names[0]
    print(
        f"\nPer k: POD difference {name} - R (95 % bootstrap interval over series)\n\n"
        "| k | " + " | ".join(label for label, _ in groups) + " |"
    )
    print("|---" * (len(groups) + 1) + "|")
    for k in KS:
        cells = []
        for _, rows in groups:
            est, lo, hi, _, _ = paired(
                results[name]["detected"][rows][:, k - 1 : k],
                results["R"]["detected"][rows][:, k - 1 : k],
                rng,
            )
            cells.append(f"{est:+.3f} ({lo:+.3f} .. {hi:+.3f})")
        print(f"| {k} | " + " | ".join(cells) + " |")
    for name in names[:-1]:
        same = (results[name]["alarms"] == results["R"]["alarms"]).mean()
        print(f"\n{name} and R agree in {same:.2%} of the outbreak-free judged weeks", end="")
    print()


def report_scenarios(series: list[Series], results: dict) -> None:
    names = list(results)
    ks = np.array(KS)
    print(
        "\nPer scenario (mean a week over the judged weeks; FPR; POD over k >= 3 and k >= 6;"
        " share of Noaber's judgements that went to the fallback or were declined)\n"
    )
    short = {"Noaber default": "def", "Noaber one look": "one", "Noaber before": "bef", "R": "R"}
    cols = " / ".join(short.get(n, n) for n in names)
    print(
        f"| # | theta | beta | m | phi | mean/week | FPR {cols} | POD k>=3 {cols} |"
        f" POD k>=6 {cols} | fallback |"
    )
    print("|---" * 10 + "|")
    index = np.array([s.scenario.number for s in series])
    for sc in SCENARIOS:
        rows = index == sc.number
        if not rows.any():
            continue
        fpr = " / ".join(_pct(results[n]["alarms"][rows].mean()) for n in names)
        pod3 = " / ".join(f"{results[n]['detected'][rows][:, ks >= 3].mean():.2f}" for n in names)
        pod6 = " / ".join(f"{results[n]['detected'][rows][:, ks >= 6].mean():.2f}" for n in names)
        methods = Counter()
        for i in np.flatnonzero(rows):
            methods.update(results[names[0]]["methods"][i])
        share = (methods["fallback"] + methods["declined"]) / sum(methods.values())
        print(
            f"| {sc.number} | {sc.theta} | {sc.beta} | {sc.m} | {sc.phi} |"
            f" {sc.mean()[FIRST_EVAL:].mean():.2f} | {fpr} | {pod3} | {pod6} | {share:.0%} |"
        )


def evaluate(
    seeds: list[int],
    per_scenario: int,
    scenarios: list[int],
    params: Params,
    jobs: int,
    use_r: bool,
    before: bool = False,
) -> None:
    chosen = [sc for sc in SCENARIOS if sc.number in scenarios]
    series = [
        simulate(sc, seed, rep) for seed in seeds for sc in chosen for rep in range(per_scenario)
    ]
    judged = len(series) * EVAL + sum(len(w) for s in series for w, _ in s.outbreaks)
    r_label, reason = r_version() if use_r else (None, "--no-r")
    print(
        f"\nNoufaily et al. (2013) design: scenarios {_ranges(scenarios)}, seeds"
        f" {','.join(map(str, seeds))}, {per_scenario} series per scenario and seed, {WEEKS} weeks"
        f" each, last {EVAL} judged, alpha = {params.alpha}; {judged} judged weeks per method"
    )
    print(f"R: {r_label}" if r_label else f"R: skipped, {reason}")
    results = {}
    results["Noaber default"] = run_noaber(series, params, jobs)
    results["Noaber one look"] = run_noaber(series, replace(params, spans=(1,)), jobs)
    if before:
        # The default until issue 21's point 2: plug-in threshold, alpha split evenly
        before_params = replace(params, threshold="plugin", first_look_share=0.5)
        results["Noaber before"] = run_noaber(series, before_params, jobs)
    if r_label:
        results["R"] = run_r(series, jobs, params.alpha, r_label)
    report(series, results, r_label)
    report_scenarios(series, results)
    print(f"\nTime for the same {judged} judgements on {jobs} process{'es' if jobs > 1 else ''}:")
    for name, res in results.items():
        extra = ""
        if name == "R":
            extra = (
                f" (judging, as measured when each series was first judged, plus {res['gaps']}"
                f" weeks inside gaps of outbreaks; {res['cached']} of {len(series)} series from"
                f" var/bench-cache/, {res['wall']:.1f} s with start-up and files for the rest;"
                f" {res['missing']} weeks without a verdict)"
            )
        print(f"- {name}: {res['seconds']:.1f} s{extra}")
    if r_label and results["R"]["cached"]:
        print("- R / Noaber: not compared, R's time is from earlier runs (var/bench-cache/)")
    elif r_label:
        for name in ("Noaber default", "Noaber one look"):
            ratio = results["R"]["seconds"] / results[name]["seconds"]
            print(f"- R / {name}: {ratio:.2f}")


def _ranges(numbers: list[int]) -> str:
    return "1-28" if list(numbers) == list(range(1, 29)) else ",".join(map(str, numbers))


def parse_scenarios(text: str) -> list[int]:
    """'1-4,9' -> [1, 2, 3, 4, 9]; every number 1..28."""
    chosen = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        chosen.update(range(int(lo), int(hi or lo) + 1))
    if not chosen or min(chosen) < 1 or max(chosen) > len(SCENARIOS):
        raise ValueError(f"scenarios must lie in 1-{len(SCENARIOS)}: {text}")
    return sorted(chosen)

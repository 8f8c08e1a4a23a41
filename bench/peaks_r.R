# R surveillance's farringtonFlexible with the Noufaily settings, on the series that
# bench/peaks.py writes, for a side-by-side comparison with Noaber's peak detection.
#
# Run:  Rscript bench/peaks_r.R <in> <out> [processes] [alpha]
#
# <in>, one record a line:
#   S <series> <count> <count> ...            a weekly series (oldest first)
#   J <job> <series> <weeks> <additions>      judge the series, with the additions, in <weeks>
#     <weeks>      1-based positions, comma-separated
#     <additions>  week:count,week:count,... added to the series first ("-" for none)
# <out>: "job,week,alarm,upper,expected" for every judged week (alarm 0/1, NA if R gave none).
# Prints the R and surveillance versions, and the seconds spent judging (package load and
# file reading left out) as "elapsed <s>". Jobs run in [processes] forked processes (default 1);
# [alpha] is the level of the threshold (default 0.01).

suppressPackageStartupMessages(library(surveillance))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript bench/peaks_r.R <in> <out> [processes] [alpha]")
processes <- if (length(args) >= 3) as.integer(args[3]) else 1L
alpha <- if (length(args) >= 4) as.numeric(args[4]) else 0.01
cat("R", paste(R.version$major, R.version$minor, sep = "."),
    "surveillance", as.character(packageVersion("surveillance")), "\n")

control <- list(b = 5, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26,
                weightsThreshold = 2.58, reweight = TRUE, trend = TRUE,
                pThresholdTrend = 0.05, alpha = alpha, thresholdMethod = "nbPlugin",
                limit54 = c(5, 4), glmWarnings = FALSE, verbose = FALSE)

lines <- readLines(args[1])
fields <- strsplit(lines, " ", fixed = TRUE)
kind <- vapply(fields, `[`, "", 1)
series <- list()
for (f in fields[kind == "S"]) series[[f[2]]] <- as.integer(f[-(1:2)])
jobs <- fields[kind == "J"]

judge <- function(f) {
  counts <- series[[f[3]]]
  weeks <- as.integer(strsplit(f[4], ",", fixed = TRUE)[[1]])
  if (f[5] != "-") {
    pairs <- do.call(rbind, strsplit(strsplit(f[5], ",", fixed = TRUE)[[1]], ":", fixed = TRUE))
    at <- as.integer(pairs[, 1])
    counts[at] <- counts[at] + as.integer(pairs[, 2])
  }
  s <- sts(observed = counts, frequency = 52)
  # farringtonFlexible needs a range without gaps: judge from the first to the last week asked
  range <- min(weeks):max(weeks)
  r <- suppressWarnings(farringtonFlexible(s, control = modifyList(control, list(range = range))))
  asked <- range %in% weeks
  data.frame(job = f[2], week = range[asked], alarm = as.integer(alarms(r)[asked, 1]),
             upper = upperbound(r)[asked, 1], expected = r@control$expected[asked])
}

started <- proc.time()[["elapsed"]]
parts <- if (processes > 1) {
  parallel::mclapply(jobs, judge, mc.cores = processes, mc.preschedule = TRUE)
} else {
  lapply(jobs, judge)
}
elapsed <- proc.time()[["elapsed"]] - started
failed <- vapply(parts, inherits, TRUE, "try-error")
if (any(failed)) stop("farringtonFlexible failed: ", as.character(parts[[which(failed)[1]]]))
write.csv(do.call(rbind, parts), args[2], row.names = FALSE, quote = FALSE)
cat("elapsed", elapsed, "\n")

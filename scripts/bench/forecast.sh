#!/usr/bin/env bash
# Full lambda path + 10-fold cross-validation on the Early Warning Project table:
# `kinga risk fit --cv 10` against R's cv.glmnet (alpha 0.5, family binomial), same rows,
# same folds, same lambda path (both derive it from the data the same way), in one run.
# Prints both times and the ratio kinga / glmnet (below 1.0: kinga is faster).
#
# Usage: scripts/bench/forecast.sh [TABLE.csv] [REPEATS]
#        BENCH_SMOKE=1 scripts/bench/forecast.sh   # once each, the debug build: does it still run?
# R with glmnet (Debian r-cran-glmnet) and bc are installed as root when missing. The table is
# for tests only and never shipped: it is read from ../shared/data/ewp/ beside the checkout.
set -euo pipefail
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/scripts/bench/peers.sh"
data="${1:-$root/../shared/data/ewp/prepared2024predictors-2025-09-03.csv}"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then repeats="${2:-1}"; else repeats="${2:-5}"; fi
[ -f "$data" ] || peer_missing "missing $data (the Early Warning Project predictor table, never shipped)"
peer_apt bc bc || peer_missing "needs bc (apt-get install bc)"
peer_apt_if "Rscript -e 'library(glmnet)'" r-cran-glmnet ||
  peer_missing "needs R with glmnet (apt-get install r-cran-glmnet)"

# KINGA_BIN: an already built binary (skips the build).
kinga="$(kinga_binary "$root")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/bench.R" <<'R'
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(glmnet))
d <- read.csv(args[1], check.names = FALSE)
outcomes <- c("mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2")
preds <- setdiff(names(d), c("ewp_name", "ccode", outcomes))
train <- d[d$year <= 2022, c(preds, outcomes)]
train <- train[complete.cases(train), ]
x <- as.matrix(train[, preds]); y <- train$mk_onset_1or2
set.seed(90035)
foldid <- sample(rep(1:10, length.out = nrow(x)))
writeLines(as.character(foldid), args[2])
times <- sapply(seq_len(as.integer(args[3])), function(i)
  system.time(cv <- cv.glmnet(x, y, family = "binomial", alpha = 0.5, foldid = foldid))[["elapsed"]])
cv <- cv.glmnet(x, y, family = "binomial", alpha = 0.5, foldid = foldid)
cat(sprintf("glmnet %s: %d lambdas, lambda.min %.6g, lambda.1se %.6g, best of %d: %.3f s\n",
            packageVersion("glmnet"), length(cv$lambda), cv$lambda.min, cv$lambda.1se,
            length(times), min(times)))
cat(min(times), "\n", file = args[4])
R
Rscript "$work/bench.R" "$data" "$work/foldid.txt" "$repeats" "$work/r_seconds"
r_seconds="$(tr -d ' \n' < "$work/r_seconds")"

run_kinga() {
  local threads="$1" best="" out t0 t1 s
  for _ in $(seq "$repeats"); do
    t0="$(date +%s.%N)"
    out="$("$kinga" risk fit --data "$data" --outcome mk_onset_1or2 --train-until 2022 \
      --alpha 0.5 --cv 10 --foldid "$work/foldid.txt" --threads "$threads" --out "$work/m.json")"
    t1="$(date +%s.%N)"
    s="$(echo "$t1 - $t0" | bc -l)"
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best="$s"; fi
  done
  echo "$out" | grep '^lambda:' >&2
  echo "$best"
}
k1="$(run_kinga 1)"
k2="$(run_kinga 2)"
printf 'kinga, 1 thread (whole process: read CSV, path, 10 folds): best of %s: %.3f s\n' "$repeats" "$k1"
printf 'kinga, 2 threads: best of %s: %.3f s\n' "$repeats" "$k2"
printf 'glmnet cv.glmnet (the call alone, data already in memory): %.3f s\n' "$r_seconds"
printf 'ratio kinga/glmnet: %.2f (1 thread), %.2f (2 threads)\n' \
  "$(echo "$k1 / $r_seconds" | bc -l)" "$(echo "$k2 / $r_seconds" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

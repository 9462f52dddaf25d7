//! How good a set of forecasts was: ranking (AUC), catching (recall among the top k) and
//! calibration (Brier score).

/// Area under the ROC curve: the chance a random positive outranks a random negative, ties
/// counting one half (the Mann-Whitney form, as pROC computes it). `None` without both classes.
pub fn auc(risk: &[f64], outcome: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..risk.len()).collect();
    order.sort_by(|&a, &b| risk[a].total_cmp(&risk[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && risk[order[j + 1]] == risk[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if outcome[k] {
                rank_sum_pos += mid;
            }
        }
        i = j + 1;
    }
    let pos = outcome.iter().filter(|o| **o).count() as f64;
    let neg = outcome.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    Some((rank_sum_pos - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Ranks by decreasing risk, ties sharing the best rank (R's `rank(-risk, ties = "min")`).
pub fn ranks(risk: &[f64]) -> Vec<usize> {
    risk.iter()
        .map(|r| 1 + risk.iter().filter(|o| *o > r).count())
        .collect()
}

/// Share of positives whose rank is at most k.
pub fn recall_at(ranks: &[usize], outcome: &[bool], k: usize) -> Option<f64> {
    let pos = outcome.iter().filter(|o| **o).count();
    if pos == 0 {
        return None;
    }
    let caught = ranks
        .iter()
        .zip(outcome)
        .filter(|(r, o)| **o && **r <= k)
        .count();
    Some(caught as f64 / pos as f64)
}

/// Mean squared difference between forecast probability and outcome.
pub fn brier(risk: &[f64], outcome: &[bool]) -> Option<f64> {
    if risk.is_empty() {
        return None;
    }
    let s: f64 = risk
        .iter()
        .zip(outcome)
        .map(|(r, o)| (r - if *o { 1.0 } else { 0.0 }).powi(2))
        .sum();
    Some(s / risk.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ordered_pairs() {
        // Pairs (pos, neg): (0.9,0.1) (0.9,0.5) (0.4,0.1) win, (0.4,0.5) loses: 3/4.
        let r = [0.9, 0.4, 0.1, 0.5];
        let o = [true, true, false, false];
        assert_eq!(auc(&r, &o), Some(0.75));
        // A tie between a positive and a negative counts one half.
        assert_eq!(auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.2], &[true, true]), None);
    }

    #[test]
    fn ranks_share_ties_and_recall_uses_them() {
        let r = ranks(&[0.2, 0.9, 0.2, 0.1]);
        assert_eq!(r, vec![2, 1, 2, 4]);
        assert_eq!(recall_at(&r, &[true, false, false, true], 2), Some(0.5));
    }

    #[test]
    fn brier_of_perfect_and_coin_flip() {
        assert_eq!(brier(&[1.0, 0.0], &[true, false]), Some(0.0));
        assert_eq!(brier(&[0.5, 0.5], &[true, false]), Some(0.25));
    }
}

//! A probability random forest (Breiman 2001, as R's `ranger` grows it with
//! `probability = TRUE`): each tree is grown on a bootstrap sample, each split is the best of
//! `mtry` randomly drawn predictors by the Gini impurity decrease, a leaf holds the share of
//! positive rows that reached it, and the forest's risk is the mean over trees.
//!
//! Split points are searched over at most 256 candidate thresholds per predictor, the observed
//! values themselves when there are that few, quantiles of them otherwise. Thresholds are
//! observed values, so the same tree applies to raw rows without the bins.
//!
//! Every tree draws from its own generator seeded by the forest seed and the tree's number, so
//! a forest is the same whatever the number of threads.

use super::design::Matrix;
use super::ForecastError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForestSettings {
    pub trees: usize,
    /// Predictors tried per split; `None` is ⌊√p⌋, the usual choice for classification.
    pub mtry: Option<usize>,
    /// Fewest bootstrap rows in a leaf.
    pub min_leaf: usize,
    pub seed: u64,
}

impl Default for ForestSettings {
    fn default() -> Self {
        ForestSettings {
            trees: 500,
            mtry: None,
            min_leaf: 5,
            seed: 20_250_903,
        }
    }
}

/// One tree in flat arrays: node k splits on `feature[k]` at `threshold[k]` (rows with a value
/// ≤ the threshold go to `left[k]`, the others to `left[k] + 1`), or is a leaf when
/// `feature[k]` is `LEAF`, holding the positive share `value[k]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub feature: Vec<u32>,
    pub threshold: Vec<f64>,
    pub left: Vec<u32>,
    pub value: Vec<f64>,
}

const LEAF: u32 = u32::MAX;

impl Tree {
    pub fn predict(&self, row: &[f64]) -> f64 {
        let mut k = 0usize;
        loop {
            let f = self.feature[k];
            if f == LEAF {
                return self.value[k];
            }
            let next = self.left[k] as usize;
            k = if row[f as usize] <= self.threshold[k] {
                next
            } else {
                next + 1
            };
        }
    }

    pub fn leaves(&self) -> usize {
        self.feature.iter().filter(|&&f| f == LEAF).count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub settings: ForestSettings,
    pub predictors: usize,
    pub trees: Vec<Tree>,
}

impl Forest {
    /// The share of trees' positive rows, averaged: the forest's probability of the outcome.
    pub fn predict(&self, row: &[f64]) -> f64 {
        if self.trees.is_empty() {
            return 0.0;
        }
        self.trees.iter().map(|t| t.predict(row)).sum::<f64>() / self.trees.len() as f64
    }
}

/// SplitMix64: small, fast, and enough for bootstrap draws and predictor sampling.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (Lemire's multiply-shift; the bias is below 2^-40 for these n).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// Per predictor: candidate thresholds (ascending observed values) and each row's bin, the
/// number of thresholds below its value, so `value ≤ cuts[k]` exactly when `bin ≤ k`.
struct Binned {
    cuts: Vec<Vec<f64>>,
    bins: Vec<Vec<u8>>,
}

const MAX_CUTS: usize = 255;

fn bin(x: &Matrix) -> Binned {
    let mut cuts = Vec::with_capacity(x.cols);
    let mut bins = Vec::with_capacity(x.cols);
    for j in 0..x.cols {
        let col = x.col(j);
        let mut distinct: Vec<f64> = col.to_vec();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        // The largest value cannot separate anything.
        distinct.pop();
        let c: Vec<f64> = if distinct.len() <= MAX_CUTS {
            distinct
        } else {
            let mut sorted = col.to_vec();
            sorted.sort_by(f64::total_cmp);
            let mut q: Vec<f64> = (1..=MAX_CUTS)
                .map(|k| sorted[k * (sorted.len() - 1) / (MAX_CUTS + 1)])
                .collect();
            q.dedup();
            let top = sorted[sorted.len() - 1];
            q.retain(|v| *v < top);
            q
        };
        let b = col
            .iter()
            .map(|v| c.partition_point(|cut| cut < v) as u8)
            .collect();
        cuts.push(c);
        bins.push(b);
    }
    Binned { cuts, bins }
}

/// Grows the forest on rows `x` with 0/1 outcomes `y`.
pub fn grow(
    x: &Matrix,
    y: &[f64],
    settings: &ForestSettings,
    threads: usize,
) -> Result<Forest, ForecastError> {
    if x.rows != y.len() {
        return Err(ForecastError::Shape(format!(
            "{} rows of predictors but {} outcomes",
            x.rows,
            y.len()
        )));
    }
    if x.rows == 0 || x.cols == 0 {
        return Err(ForecastError::Shape(
            "a forest needs at least one row and one predictor".into(),
        ));
    }
    if settings.trees == 0 || settings.min_leaf == 0 {
        return Err(ForecastError::Setting(
            "a forest needs at least one tree and a leaf size of at least one".into(),
        ));
    }
    if !y.iter().any(|v| *v > 0.5) {
        return Err(ForecastError::NoPositives);
    }
    let mtry = settings
        .mtry
        .unwrap_or_else(|| ((x.cols as f64).sqrt().floor() as usize).max(1))
        .clamp(1, x.cols);
    let positive: Vec<bool> = y.iter().map(|v| *v > 0.5).collect();
    let binned = bin(x);
    let threads = threads.clamp(1, settings.trees);
    let per = settings.trees.div_ceil(threads);
    let trees: Vec<Tree> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (binned, positive) = (&binned, &positive);
                s.spawn(move || {
                    (t * per..((t + 1) * per).min(settings.trees))
                        .map(|k| grow_tree(binned, positive, mtry, settings, k as u64))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a tree-growing thread panicked"))
            .collect()
    });
    Ok(Forest {
        settings: *settings,
        predictors: x.cols,
        trees,
    })
}

fn grow_tree(
    data: &Binned,
    positive: &[bool],
    mtry: usize,
    settings: &ForestSettings,
    number: u64,
) -> Tree {
    let n = positive.len();
    let p = data.cuts.len();
    let mut rng = Rng::new(settings.seed, number + 1);
    let mut sample: Vec<u32> = (0..n).map(|_| rng.below(n) as u32).collect();
    let mut tree = Tree {
        feature: vec![LEAF],
        threshold: vec![0.0],
        left: vec![0],
        value: vec![0.0],
    };
    let mut order: Vec<usize> = (0..p).collect();
    let mut counts = [0u32; MAX_CUTS + 1];
    let mut hits = [0u32; MAX_CUTS + 1];
    // (node, start, end) over `sample`.
    let mut pending = vec![(0usize, 0usize, n)];
    while let Some((node, start, end)) = pending.pop() {
        let rows = &sample[start..end];
        let size = rows.len();
        let pos = rows.iter().filter(|&&i| positive[i as usize]).count();
        tree.value[node] = pos as f64 / size as f64;
        if pos == 0 || pos == size || size < 2 * settings.min_leaf {
            continue;
        }
        // Gini decrease is maximal where Σ_child pos²/size is: compare that.
        let parent = (pos * pos) as f64 / size as f64;
        let mut best: Option<(f64, usize, usize)> = None;
        for k in 0..mtry {
            let pick = k + rng.below(p - k);
            order.swap(k, pick);
            let j = order[k];
            let cuts = data.cuts[j].len();
            if cuts == 0 {
                continue;
            }
            let bins = &data.bins[j];
            counts[..=cuts].fill(0);
            hits[..=cuts].fill(0);
            for &i in rows {
                let b = bins[i as usize] as usize;
                counts[b] += 1;
                hits[b] += u32::from(positive[i as usize]);
            }
            let (mut nl, mut pl) = (0usize, 0usize);
            for c in 0..cuts {
                nl += counts[c] as usize;
                pl += hits[c] as usize;
                let nr = size - nl;
                if nl < settings.min_leaf {
                    continue;
                }
                if nr < settings.min_leaf {
                    break;
                }
                let pr = pos - pl;
                let score = (pl * pl) as f64 / nl as f64 + (pr * pr) as f64 / nr as f64 - parent;
                if score > 1e-12 && best.is_none_or(|(s, _, _)| score > s) {
                    best = Some((score, j, c));
                }
            }
        }
        let Some((_, j, c)) = best else {
            continue;
        };
        let bins = &data.bins[j];
        let slice = &mut sample[start..end];
        let mut mid = 0;
        for k in 0..slice.len() {
            if bins[slice[k] as usize] as usize <= c {
                slice.swap(k, mid);
                mid += 1;
            }
        }
        let left = tree.feature.len();
        tree.feature[node] = j as u32;
        tree.threshold[node] = data.cuts[j][c];
        tree.left[node] = left as u32;
        for _ in 0..2 {
            tree.feature.push(LEAF);
            tree.threshold.push(0.0);
            tree.left.push(0);
            tree.value.push(0.0);
        }
        pending.push((left + 1, start + mid, end));
        pending.push((left, start, start + mid));
    }
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(trees: usize, seed: u64) -> ForestSettings {
        ForestSettings {
            trees,
            mtry: None,
            min_leaf: 1,
            seed,
        }
    }

    #[test]
    fn one_tree_finds_the_threshold_that_separates_the_outcome() {
        // Outcome 1 exactly when x0 > 6.5; x1 is unrelated. With mtry = 2 the tree sees both.
        let rows: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![f64::from(i % 13), f64::from((i * 7) % 11)])
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| f64::from(r[0] > 6.5)).collect();
        let s = ForestSettings {
            mtry: Some(2),
            ..settings(1, 7)
        };
        let f = grow(&Matrix::from_rows(&rows), &y, &s, 1).unwrap();
        let t = &f.trees[0];
        assert_eq!(
            t.feature[0], 0,
            "the root splits on the predictor that matters"
        );
        assert_eq!(t.threshold[0], 6.0, "between 6 (all 0) and 7 (all 1)");
        assert_eq!(t.leaves(), 2, "both sides are pure at once");
        assert_eq!(f.predict(&[6.0, 3.0]), 0.0);
        assert_eq!(f.predict(&[6.2, 3.0]), 1.0);
    }

    #[test]
    fn a_forest_ranks_by_an_interaction_a_linear_model_cannot_see() {
        // Risk only where both predictors are high; a third is noise.
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..2000u32 {
            let a = f64::from(i % 10);
            let b = f64::from((i / 10) % 10);
            let noise = f64::from((i * 37) % 17);
            rows.push(vec![a, b, noise]);
            y.push(f64::from(a >= 7.0 && b >= 7.0 && i % 3 != 0));
        }
        let f = grow(&Matrix::from_rows(&rows), &y, &settings(100, 3), 2).unwrap();
        let both = f.predict(&[8.0, 8.0, 5.0]);
        let one = f.predict(&[8.0, 2.0, 5.0]);
        let other = f.predict(&[2.0, 8.0, 5.0]);
        assert!(both > 0.4, "{both}");
        assert!(one < 0.05 && other < 0.05, "{one} {other}");
    }

    #[test]
    fn the_same_seed_grows_the_same_forest_whatever_the_threads() {
        let rows: Vec<Vec<f64>> = (0..300)
            .map(|i| {
                vec![
                    f64::from(i % 17),
                    f64::from((i * 7) % 23) / 3.0,
                    f64::from(i % 2),
                ]
            })
            .collect();
        let y: Vec<f64> = (0..300).map(|i| f64::from(i % 5 == 0)).collect();
        let x = Matrix::from_rows(&rows);
        let a = grow(&x, &y, &settings(20, 11), 1).unwrap();
        let b = grow(&x, &y, &settings(20, 11), 3).unwrap();
        let c = grow(&x, &y, &settings(20, 12), 1).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c, "another seed draws other bootstrap samples");
    }

    #[test]
    fn leaves_respect_the_minimum_size_and_risks_are_probabilities() {
        let rows: Vec<Vec<f64>> = (0..500).map(|i| vec![f64::from(i)]).collect();
        let y: Vec<f64> = (0..500).map(|i| f64::from(i % 7 == 0)).collect();
        let s = ForestSettings {
            min_leaf: 50,
            ..settings(5, 1)
        };
        let f = grow(&Matrix::from_rows(&rows), &y, &s, 1).unwrap();
        for t in &f.trees {
            // 500 bootstrap rows in leaves of at least 50.
            assert!(t.leaves() <= 10, "{}", t.leaves());
        }
        for r in &rows {
            let p = f.predict(r);
            assert!((0.0..=1.0).contains(&p));
        }
    }

    #[test]
    fn refuses_what_it_cannot_learn_from() {
        let x = Matrix::from_rows(&[vec![1.0], vec![2.0]]);
        assert_eq!(
            grow(&x, &[0.0, 0.0], &settings(3, 1), 1),
            Err(ForecastError::NoPositives)
        );
        assert!(grow(&x, &[0.0], &settings(3, 1), 1).is_err());
        assert!(grow(&x, &[0.0, 1.0], &settings(0, 1), 1).is_err());
    }

    #[test]
    fn thresholds_are_observed_values_even_when_binned() {
        let rows: Vec<Vec<f64>> = (0..2000).map(|i| vec![f64::from(i) * 0.37]).collect();
        let y: Vec<f64> = (0..2000).map(|i| f64::from(i >= 1500)).collect();
        let f = grow(&Matrix::from_rows(&rows), &y, &settings(3, 5), 1).unwrap();
        let observed: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        for t in &f.trees {
            for (k, &feat) in t.feature.iter().enumerate() {
                if feat != LEAF {
                    assert!(observed.contains(&t.threshold[k]));
                }
            }
        }
        assert!(f.predict(&[1499.0 * 0.37]) < 0.2);
        assert!(f.predict(&[1600.0 * 0.37]) > 0.8);
    }
}

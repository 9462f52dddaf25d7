//! Fold assignment identical to R's `set.seed(seed); sample(rep(seq(k), length = n))`, the
//! folds `cv.glmnet` draws. A published backtest that picked lambda by cross-validation can only
//! be reproduced to the last digit with the same folds, so this follows R's Mersenne-Twister,
//! its seed scrambling and its rejection sampling (the default `sample.kind` since R 3.6.0).

const N: usize = 624;
const M: usize = 397;

/// R's default uniform generator after `set.seed(seed)`.
pub struct RRandom {
    mt: [u32; N],
    mti: usize,
}

impl RRandom {
    pub fn new(seed: u32) -> Self {
        let mut s = seed;
        for _ in 0..50 {
            s = s.wrapping_mul(69069).wrapping_add(1);
        }
        // R fills 625 words: the first is the position counter, which it then resets.
        s = s.wrapping_mul(69069).wrapping_add(1);
        let mut mt = [0u32; N];
        for word in &mut mt {
            s = s.wrapping_mul(69069).wrapping_add(1);
            *word = s;
        }
        RRandom { mt, mti: N }
    }

    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        let mag = |y: u32| if y & 1 == 1 { 0x9908_b0df } else { 0 };
        for kk in 0..N {
            let y = (self.mt[kk] & UPPER) | (self.mt[(kk + 1) % N] & LOWER);
            self.mt[kk] = self.mt[(kk + M) % N] ^ (y >> 1) ^ mag(y);
        }
        self.mti = 0;
    }

    /// `unif_rand()`: a double in the open interval (0, 1).
    pub fn unif(&mut self) -> f64 {
        if self.mti >= N {
            self.twist();
        }
        let mut y = self.mt[self.mti];
        self.mti += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        let v = f64::from(y) * 2.328_306_436_538_696_3e-10;
        const I2_32M1: f64 = 2.328_306_437_080_797e-10;
        if v <= 0.0 {
            0.5 * I2_32M1
        } else if 1.0 - v <= 0.0 {
            1.0 - 0.5 * I2_32M1
        } else {
            v
        }
    }

    fn bits(&mut self, bits: u32) -> u64 {
        let mut v: u64 = 0;
        let mut n = 0;
        while n <= bits {
            let v1 = (self.unif() * 65536.0).floor() as u64;
            v = v.wrapping_mul(65536).wrapping_add(v1);
            n += 16;
        }
        v & ((1u64 << bits) - 1)
    }

    /// `R_unif_index(n)`: uniform on 0..n by rejection from the next power of two.
    pub fn index(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let bits = (n as f64).log2().ceil() as u32;
        loop {
            let v = self.bits(bits);
            if (v as usize) < n {
                return v as usize;
            }
        }
    }

    /// `sample.int(n)`: a random permutation of 0..n.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut x: Vec<usize> = (0..n).collect();
        let mut left = n;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let j = self.index(left);
            out.push(x[j]);
            left -= 1;
            x[j] = x[left];
        }
        out
    }
}

/// `set.seed(seed); sample(rep(seq(k), length = n))` as 0-based fold numbers.
pub fn r_folds(n: usize, k: usize, seed: u32) -> Vec<usize> {
    let base: Vec<usize> = (0..n).map(|i| i % k).collect();
    RRandom::new(seed)
        .permutation(n)
        .into_iter()
        .map(|i| base[i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_sample_after_set_seed() {
        // R 4: set.seed(90035); sample(rep(1:10, length = 23))
        let r = [
            8, 7, 9, 4, 3, 1, 2, 4, 9, 6, 10, 5, 8, 7, 6, 2, 5, 2, 3, 3, 1, 10, 1,
        ];
        let ours: Vec<usize> = r_folds(23, 10, 90035).iter().map(|f| f + 1).collect();
        assert_eq!(ours, r);
    }

    #[test]
    fn every_fold_gets_its_share() {
        let folds = r_folds(1003, 10, 1);
        for f in 0..10 {
            let size = folds.iter().filter(|&&x| x == f).count();
            assert!(size == 100 || size == 101, "fold {f} has {size}");
        }
    }
}

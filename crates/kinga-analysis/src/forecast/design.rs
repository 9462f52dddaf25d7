//! Predictors as glmnet sees them: centred and scaled by the weighted mean and the population
//! standard deviation, column by column. Columns that never vary are kept but never enter the
//! model, as glmnet does, so a rare dummy absent from one fold cannot break a fit.

/// A column-major predictor matrix, the layout the coordinate updates walk.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// From columns of equal length.
    pub fn from_columns(columns: &[Vec<f64>]) -> Matrix {
        let rows = columns.first().map_or(0, Vec::len);
        assert!(columns.iter().all(|c| c.len() == rows), "ragged columns");
        let mut data = Vec::with_capacity(rows * columns.len());
        for c in columns {
            data.extend_from_slice(c);
        }
        Matrix {
            rows,
            cols: columns.len(),
            data,
        }
    }

    /// From rows of equal length.
    pub fn from_rows(rows: &[Vec<f64>]) -> Matrix {
        let cols = rows.first().map_or(0, Vec::len);
        let n = rows.len();
        let mut data = vec![0.0; n * cols];
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.len(), cols, "ragged rows");
            for (j, v) in r.iter().enumerate() {
                data[j * n + i] = *v;
            }
        }
        Matrix {
            rows: n,
            cols,
            data,
        }
    }

    pub fn col(&self, j: usize) -> &[f64] {
        &self.data[j * self.rows..(j + 1) * self.rows]
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[j * self.rows + i]
    }

    pub fn row(&self, i: usize) -> Vec<f64> {
        (0..self.cols).map(|j| self.get(i, j)).collect()
    }

    /// The rows named by `which`, in that order.
    pub fn select_rows(&self, which: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(which.len() * self.cols);
        for j in 0..self.cols {
            let c = self.col(j);
            data.extend(which.iter().map(|&i| c[i]));
        }
        Matrix {
            rows: which.len(),
            cols: self.cols,
            data,
        }
    }
}

/// Standardised predictors with the means and scales needed to map coefficients back.
pub struct Standardised {
    pub x: Matrix,
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    /// false for a column that is constant over these rows (glmnet's `ju`).
    pub varies: Vec<bool>,
}

/// glmnet's `lstandard1` with an intercept: `w` must sum to one.
pub fn standardise(x: &Matrix, w: &[f64]) -> Standardised {
    let n = x.rows;
    let mut data = Vec::with_capacity(n * x.cols);
    let mut mean = Vec::with_capacity(x.cols);
    let mut sd = Vec::with_capacity(x.cols);
    let mut varies = Vec::with_capacity(x.cols);
    for j in 0..x.cols {
        let c = x.col(j);
        let first = c.first().copied().unwrap_or(0.0);
        let v = c.iter().any(|&a| a != first);
        let m: f64 = c.iter().zip(w).map(|(a, wi)| a * wi).sum();
        let s = c
            .iter()
            .zip(w)
            .map(|(a, wi)| wi * (a - m) * (a - m))
            .sum::<f64>()
            .sqrt();
        let scale = if v && s > 0.0 { s } else { 1.0 };
        data.extend(c.iter().map(|a| (a - m) / scale));
        mean.push(m);
        sd.push(scale);
        varies.push(v && s > 0.0);
    }
    Standardised {
        x: Matrix {
            rows: n,
            cols: x.cols,
            data,
        },
        mean,
        sd,
        varies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_sd_and_constant_columns() {
        let x = Matrix::from_columns(&[vec![1.0, 2.0, 3.0, 4.0], vec![5.0; 4]]);
        let s = standardise(&x, &[0.25; 4]);
        assert!((s.mean[0] - 2.5).abs() < 1e-12);
        assert!((s.sd[0] - 1.25f64.sqrt()).abs() < 1e-12);
        assert!(s.varies[0] && !s.varies[1]);
        let z: f64 = s.x.col(0).iter().map(|a| a * a).sum::<f64>() / 4.0;
        assert!((z - 1.0).abs() < 1e-12);
    }

    #[test]
    fn rows_and_columns_agree() {
        let a = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]);
        let b = Matrix::from_columns(&[vec![1.0, 3.0, 5.0], vec![2.0, 4.0, 6.0]]);
        assert_eq!(a.col(1), b.col(1));
        assert_eq!(a.select_rows(&[2, 0]).col(0), &[5.0, 1.0]);
        assert_eq!(a.row(1), vec![3.0, 4.0]);
    }
}

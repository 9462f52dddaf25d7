//! Elastic-net logistic regression (glmnet objective) for structural atrocity-risk forecasts.

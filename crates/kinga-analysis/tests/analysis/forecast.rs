//! Tests of the forecast module.

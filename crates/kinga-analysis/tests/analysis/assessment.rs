//! Tests of the assessment module.

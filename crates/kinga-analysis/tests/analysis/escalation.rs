//! Tests of the escalation module.

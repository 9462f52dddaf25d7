//! UN Framework of Analysis assessments: scoring rules from indicator scores to factor and overall summaries.

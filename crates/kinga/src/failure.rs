use kinga_app::records::StoreError;
use kinga_app::AccessError;

/// How a command ends when it does not succeed. Bad input exits 2 with one line naming the
/// file, line and field; a broken audit chain exits 1 naming the first broken entry.
#[derive(Debug)]
pub enum Failure {
    Input(String),
    Broken(String),
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(m) | Failure::Broken(m) | Failure::Other(m) => f.write_str(m),
        }
    }
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Broken(_) | Failure::Other(_) => 1,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(v) => Failure::Input(v.to_string()),
            StoreError::Conflict(m) | StoreError::Rule(m) => Failure::Input(m),
            StoreError::NotFound => Failure::Input("not found".into()),
            other => Failure::Other(other.to_string()),
        }
    }
}

impl From<AccessError> for Failure {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Store(s) => s.into(),
            other => Failure::Input(other.to_string()),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(format!("{e:#}"))
    }
}

impl From<kinga_domain::ValidationErrors> for Failure {
    fn from(e: kinga_domain::ValidationErrors) -> Self {
        Failure::Input(e.to_string())
    }
}

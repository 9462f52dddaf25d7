use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one SQLite file under the data directory.
    Sqlite {
        path: PathBuf,
    },
    Postgres {
        url: String,
    },
}

/// Where the data lives, chosen by URL: `postgres://…` selects PostgreSQL, anything else is the
/// embedded database under the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSettings {
    pub backend: Backend,
    pub data_dir: PathBuf,
}

impl DbSettings {
    pub fn new(data_dir: PathBuf, database_url: Option<&str>) -> Result<Self, String> {
        let backend = match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Backend::Postgres { url: u.to_string() }
            }
            Some(u) if u.starts_with("sqlite://") || u.starts_with("sqlite:") => {
                let p = u
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                Backend::Sqlite { path: p.into() }
            }
            Some(u) => {
                return Err(format!(
                    "unsupported database URL '{}': use postgres://… or sqlite:PATH",
                    redact(u)
                ))
            }
            None => Backend::Sqlite {
                path: data_dir.join("kinga.db"),
            },
        };
        Ok(DbSettings { backend, data_dir })
    }

    /// The location without any password, for messages and logs.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Sqlite { path } => format!("SQLite {}", path.display()),
            Backend::Postgres { url } => format!("PostgreSQL {}", redact(url)),
        }
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..s + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_by_url() {
        let d = DbSettings::new("d".into(), None).unwrap();
        assert_eq!(
            d.backend,
            Backend::Sqlite {
                path: PathBuf::from("d/kinga.db")
            }
        );
        let p = DbSettings::new("d".into(), Some("postgres://k:secret@h/db")).unwrap();
        assert!(matches!(p.backend, Backend::Postgres { .. }));
        assert!(!p.describe().contains("secret"));
        assert!(DbSettings::new("d".into(), Some("mysql://x")).is_err());
    }
}

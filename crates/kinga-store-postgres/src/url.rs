//! Keeping the database password out of logs and error messages: a failed start-up prints
//! where it tried to connect, and that text ends up in terminals, CI logs and bug reports.

/// The connection URL as it may appear in logs and error messages: any password, in the
/// user-info part or as a `password=` parameter, replaced by `***`.
pub fn redact(url: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (url, None),
    };
    let mut out = match main.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:***@{host}"),
                    None => format!("{userinfo}@{host}"),
                },
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => main.to_string(),
    };
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// The password (raw and, when it contains escapes, percent-decoded) so that it can be scrubbed
/// from driver messages that might echo it back.
pub fn secrets(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    let main = url.split('?').next().unwrap_or(url);
    if let Some((_, rest)) = main.split_once("://") {
        let authority = rest.split('/').next().unwrap_or(rest);
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if let Some((_, password)) = userinfo.split_once(':') {
                found.push(password.to_string());
            }
        }
    }
    if let Some((_, q)) = url.split_once('?') {
        for p in q.split('&') {
            if let Some((k, v)) = p.split_once('=') {
                if k.eq_ignore_ascii_case("password") {
                    found.push(v.to_string());
                }
            }
        }
    }
    let decoded: Vec<String> = found.iter().filter_map(|p| percent_decode(p)).collect();
    found.extend(decoded);
    found.retain(|p| !p.is_empty());
    found
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `message` with every occurrence of a secret replaced by `***`.
pub fn scrub(message: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(message.to_string(), |m, s| m.replace(s.as_str(), "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(
            redact("postgres://kinga:s3cret@db.example:5432/kinga"),
            "postgres://kinga:***@db.example:5432/kinga"
        );
        assert_eq!(
            redact("postgres://kinga:p@ss@db/kinga?sslmode=require"),
            "postgres://kinga:***@db/kinga?sslmode=require"
        );
        assert_eq!(
            redact("postgres://db/kinga?user=kinga&password=s3cret"),
            "postgres://db/kinga?user=kinga&password=***"
        );
        assert_eq!(
            redact("postgres://kinga@db/kinga"),
            "postgres://kinga@db/kinga"
        );
        assert_eq!(redact("postgres://db"), "postgres://db");
    }

    #[test]
    fn secrets_are_scrubbed_raw_and_decoded() {
        let s = secrets("postgres://kinga:a%2Fb@db/kinga?password=other");
        assert!(s.contains(&"a%2Fb".to_string()));
        assert!(s.contains(&"a/b".to_string()));
        assert!(s.contains(&"other".to_string()));
        assert_eq!(
            scrub("bad password a/b and other", &s),
            "bad password *** and ***"
        );
    }
}

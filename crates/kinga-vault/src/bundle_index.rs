//! The dossier's human-readable index. Every value is escaped: file names and summaries come from
//! the field.
use crate::bundle::Manifest;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

pub(crate) fn render(m: &Manifest) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
    h.push_str(&format!(
        "<title>{} — dossier</title>",
        esc(&m.incident.title)
    ));
    h.push_str("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px;vertical-align:top}code{font-size:85%;word-break:break-all}</style></head><body>\n");
    h.push_str(&format!(
        "<h1>{} <small>({})</small></h1>\n",
        esc(&m.incident.title),
        esc(&m.incident.id)
    ));
    h.push_str(&format!("<p>{}</p>\n", esc(&m.incident.summary)));
    h.push_str("<dl>\n");
    for (en, fr, v) in [
        ("Organisation", "Organisation", &m.organisation),
        ("Exported by", "Exporté par", &m.exported_by),
        ("Exported at", "Exporté le", &m.exported_at),
        ("Signing key", "Clé de signature", &m.signing_key_id),
    ] {
        h.push_str(&format!("<dt>{en} / {fr}</dt><dd>{}</dd>\n", esc(v)));
    }
    if let Some(c) = &m.incident.country {
        h.push_str(&format!("<dt>Country / Pays</dt><dd>{}</dd>\n", esc(c)));
    }
    if let Some(o) = &m.incident.occurred {
        h.push_str(&format!("<dt>Occurred / Survenu</dt><dd>{}</dd>\n", esc(o)));
    }
    h.push_str("</dl>\n<table><tr><th>File / Fichier</th><th>Evidence / Pièce</th><th>Type</th><th>Role / Rôle</th><th>Bytes / Octets</th><th>SHA-256</th><th>Custody / Garde</th></tr>\n");
    for i in &m.items {
        let custody: Vec<String> = i
            .custody
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} {}",
                    c.seq,
                    esc(c.kind.as_str()),
                    esc(&c.at),
                    esc(&c.actor)
                )
            })
            .collect();
        h.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
            esc(&i.path),
            esc(&i.file_name),
            esc(&i.evidence_id),
            esc(&i.mime),
            esc(&i.role),
            i.size,
            esc(&i.sha256),
            custody.join("<br>")
        ));
    }
    h.push_str("</table>\n<p>Verify / Vérifier: <code>kinga verify-bundle THIS.zip --key ORG.pub</code></p>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}

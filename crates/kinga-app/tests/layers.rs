//! The rooms of the house, checked on every build: the interfaces (the web server and the
//! command line) reach the store only through the application layer. A crate above this layer
//! may name the storage port only where it constructs a backend; everywhere else it holds this
//! layer's handles. The rule is checked on the sources rather than trusted to review, because a
//! single `use kinga_store::Store` is enough to bypass every role and scope check.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates folder")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every trait the storage port declares: the capabilities that must not leak upward.
fn port_traits() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&crates().join("kinga-store/src"), &mut files);
    let mut traits = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("port source");
        for line in text.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("pub trait ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                traits.insert(name);
            }
        }
    }
    assert!(
        traits.contains("Store"),
        "the port's traits were not found; has kinga-store moved?"
    );
    traits
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Whether `text` holds a trait object or bound of one of `traits` (`dyn Store`, `impl Store`).
fn uses_trait(text: &str, traits: &BTreeSet<String>) -> bool {
    let w: Vec<&str> = words(text).collect();
    w.windows(2)
        .any(|p| (p[0] == "dyn" || p[0] == "impl") && traits.contains(p[1]))
}

/// Lines of `text`, outside comments, that name the store crates or hold one of `traits`.
fn offending_lines(text: &str, traits: &BTreeSet<String>) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .filter(|(_, l)| {
            words(l).any(|w| w == "kinga_store" || w == "kinga_store_sql") || uses_trait(l, traits)
        })
        .map(|(n, l)| format!("{}: {}", n + 1, l.trim()))
        .collect()
}

/// `[dependencies]` of a crate's manifest, without its dev-dependencies.
fn runtime_dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).expect("manifest");
    let mut inside = false;
    let mut deps = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside {
            if let Some((name, _)) = line.split_once(['=', '.']) {
                deps.push(name.trim().to_string());
            }
        }
    }
    deps
}

#[test]
fn the_web_server_holds_no_store() {
    let deps = runtime_dependencies(&crates().join("kinga-web/Cargo.toml"));
    for store_crate in ["kinga-store", "kinga-store-sql"] {
        assert!(
            !deps.iter().any(|d| d == store_crate),
            "kinga-web depends on {store_crate}: the web layer calls the application layer only"
        );
    }
    let traits = port_traits();
    let mut files = Vec::new();
    rust_files(&crates().join("kinga-web/src"), &mut files);
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("web source");
        for l in offending_lines(&text, &traits) {
            found.push(format!("{}:{l}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the web layer names the store:\n{}",
        found.join("\n")
    );
}

/// The one file of the command line that may name the port: where the backend is chosen by
/// its URL and opened, before the application layer is built on it.
const CONSTRUCTION: &[&str] = &["database.rs"];

#[test]
fn the_command_line_names_the_store_only_where_it_opens_one() {
    let traits = port_traits();
    let root = crates().join("kinga/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut found = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&root).expect("inside src");
        if CONSTRUCTION.iter().any(|c| rel == Path::new(c)) {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("command-line source");
        for l in offending_lines(&text, &traits) {
            found.push(format!("{}:{l}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the command line reaches the store outside its construction module:\n{}",
        found.join("\n")
    );
}

/// A trait object of the port handed out by a public function or field would let its holder
/// call every store method without importing anything.
#[test]
fn this_layer_hands_out_no_store_trait() {
    let traits = port_traits();
    let mut files = Vec::new();
    rust_files(&crates().join("kinga-app/src"), &mut files);
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("application source");
        // A re-export is a `pub use` that may span lines: read it up to its semicolon.
        for stmt in statements(&text, "pub use kinga_store", ';') {
            if stmt.contains('*') {
                found.push(format!("{}: a glob re-export of the port", f.display()));
            }
            for w in words(stmt).filter(|w| traits.contains(*w)) {
                found.push(format!("{}: re-exports {w}", f.display()));
            }
        }
        for start in ["pub fn ", "pub async fn "] {
            for sig in statements(&text, start, '{') {
                let returns = sig.split_once("->").map_or("", |(_, r)| r);
                if uses_trait(returns, &traits) {
                    found.push(format!("{}: hands out the store: {sig}", f.display()));
                }
            }
        }
        for l in text.lines().map(str::trim) {
            let public_field = l.starts_with("pub ") && !l.contains(" fn ") && l.contains(':');
            if public_field && uses_trait(l, &traits) {
                found.push(format!(
                    "{}: a public field holds the store: {l}",
                    f.display()
                ));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Each piece of `text` that begins with `start`, up to (not including) `end`.
fn statements<'a>(text: &'a str, start: &str, end: char) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        let stmt = &rest[at..];
        let len = stmt.find(end).unwrap_or(stmt.len());
        out.push(&stmt[..len]);
        rest = &stmt[len..];
    }
    out
}

#[test]
fn the_checks_see_a_forbidden_line() {
    let traits = port_traits();
    let text = "use kinga_store::Store;\n// kinga_store in a comment\nlet x = 1;\n\
                fn f(s: &dyn EvidenceStore) {}\nErr(AccessError::Store(e)) => {}";
    assert_eq!(offending_lines(text, &traits).len(), 2);
    let sig = statements(
        "pub fn store(&self) -> &Arc<dyn Store> { x }",
        "pub fn ",
        '{',
    );
    assert!(uses_trait(sig[0].split_once("->").unwrap().1, &traits));
}

/// The libraries of mechanisms are composed by this layer; none of them may write to the
/// database behind its back (the vault's evidence, the importers' rows, the detectors' signals).
#[test]
fn the_mechanism_crates_know_no_store() {
    for mechanism in [
        "kinga-domain",
        "kinga-vault",
        "kinga-ingest",
        "kinga-analysis",
    ] {
        let deps = runtime_dependencies(&crates().join(mechanism).join("Cargo.toml"));
        let stores: Vec<_> = deps
            .iter()
            .filter(|d| d.starts_with("kinga-store"))
            .collect();
        assert!(
            stores.is_empty(),
            "{mechanism} depends on {stores:?}: mechanisms know no store"
        );
    }
}

//! Where a layer came from, as it is named in feature references and messages.
//!
//! A [`SourceLabel`] is what a reader records in [`crate::model::layer::Layer::source`]:
//! a file, a layer of a multi-layer file, a database connection, or an in-memory
//! (synthetic) layer. A connection's label never holds its password: the only way to make
//! one is [`SourceLabel::database`], which redacts it ([`redact_password`]).

use std::fmt;
use std::path::{Path, PathBuf};

/// The origin of a layer, printable (`Display`) without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceLabel {
    /// A single-layer file (`parcels.geojson`, `parcels.shp`).
    File(PathBuf),
    /// A layer of a multi-layer file, shown `district.gpkg:parcels`.
    FileLayer {
        /// The file (or folder, for FileGDB).
        path: PathBuf,
        /// The layer (table) inside it.
        layer: String,
    },
    /// A database or web-service connection, password removed.
    Database(RedactedConnection),
    /// A layer made in memory (synthetic data, tests), shown by its name.
    Memory(String),
}

/// A connection string with its password removed, and the layer or SQL read through it.
/// Made only by [`SourceLabel::database`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedactedConnection {
    dsn: String,
    layer: Option<String>,
    sql: Option<String>,
}

impl RedactedConnection {
    /// The connection string, password replaced by `***`.
    pub fn dsn(&self) -> &str {
        &self.dsn
    }

    /// The layer (table) read, if one was named.
    pub fn layer(&self) -> Option<&str> {
        self.layer.as_deref()
    }

    /// The SQL statement whose result was read, if any.
    pub fn sql(&self) -> Option<&str> {
        self.sql.as_deref()
    }
}

impl SourceLabel {
    /// A file, or a layer inside a file when `layer` is given.
    pub fn file(path: impl Into<PathBuf>, layer: Option<&str>) -> SourceLabel {
        match layer {
            Some(layer) => SourceLabel::FileLayer {
                path: path.into(),
                layer: layer.to_string(),
            },
            None => SourceLabel::File(path.into()),
        }
    }

    /// A database connection; the password in `dsn` is removed here.
    pub fn database(dsn: &str, layer: Option<&str>, sql: Option<&str>) -> SourceLabel {
        SourceLabel::Database(RedactedConnection {
            dsn: redact_password(dsn),
            layer: layer.map(str::to_string),
            sql: sql.map(str::to_string),
        })
    }

    /// The file path, for file sources.
    pub fn path(&self) -> Option<&Path> {
        match self {
            SourceLabel::File(path) | SourceLabel::FileLayer { path, .. } => Some(path),
            SourceLabel::Database(_) | SourceLabel::Memory(_) => None,
        }
    }

    /// The label as a path, for the `path` field of [`crate::Error`] variants: the file
    /// path where there is one, else the printed label (a connection without password).
    pub fn to_path_buf(&self) -> PathBuf {
        match self {
            SourceLabel::File(path) => path.clone(),
            other => PathBuf::from(other.to_string()),
        }
    }
}

impl From<&str> for SourceLabel {
    /// An in-memory layer named `name`.
    fn from(name: &str) -> SourceLabel {
        SourceLabel::Memory(name.to_string())
    }
}

impl fmt::Display for SourceLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceLabel::File(path) => write!(f, "{}", path.display()),
            SourceLabel::FileLayer { path, layer } => write!(f, "{}:{layer}", path.display()),
            SourceLabel::Database(c) => {
                f.write_str(&c.dsn)?;
                if let Some(l) = &c.layer {
                    write!(f, " layer {l}")?;
                }
                if let Some(s) = &c.sql {
                    write!(f, " sql `{s}`")?;
                }
                Ok(())
            }
            SourceLabel::Memory(name) => f.write_str(name),
        }
    }
}

/// Keywords whose value is a secret in libpq-style `key=value` connection strings
/// (`password`; `pwd` of ODBC and SQL Server).
const SECRET_KEYWORDS: &[&str] = &["password", "pwd"];

/// A connection string with every password replaced by `***`, for messages. Handles the
/// keyword form, with or without spaces around `=` and with quoted values
/// (`password = 'a b'`, as libpq allows), and the URI form
/// (`postgresql://user:secret@host/db`, and `?password=` in its query).
pub fn redact_password(dsn: &str) -> String {
    redact_uri_userinfo(&redact_keywords(dsn))
}

/// Replaces the value of each `password=`/`pwd=` keyword.
fn redact_keywords(dsn: &str) -> String {
    let lower = dsn.to_ascii_lowercase();
    let mut out = String::with_capacity(dsn.len());
    // Every index below is at an ASCII byte (keyword letters, `=`, quotes, whitespace), so
    // slicing there is on a character boundary.
    let mut copied = 0;
    let mut search = 0;
    while let Some((value_start, value_end)) = next_secret(dsn, &lower, search) {
        out.push_str(&dsn[copied..value_start]);
        out.push_str("***");
        copied = value_end;
        // An empty value: step over the character after it, so the search moves on.
        search = if value_end > value_start {
            value_end
        } else {
            value_start + dsn[value_start..].chars().next().map_or(1, char::len_utf8)
        };
    }
    out.push_str(&dsn[copied..]);
    out
}

/// The byte range of the next secret value at or after `from`, if any.
fn next_secret(dsn: &str, lower: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = lower.as_bytes();
    let mut best: Option<(usize, usize)> = None;
    for keyword in SECRET_KEYWORDS {
        let mut at = from;
        while let Some(found) = lower.get(at..).and_then(|rest| rest.find(keyword)) {
            let start = at + found;
            let end = start + keyword.len();
            at = end;
            // A whole word: not the tail of a longer name (`old_password` is one word).
            let word_start = start == 0 || !is_word_byte(bytes[start - 1]);
            let Some(value_start) = value_after_equals(bytes, end) else {
                continue;
            };
            if word_start {
                let value_end = value_end(dsn, value_start);
                if best.is_none_or(|(s, _)| value_start < s) {
                    best = Some((value_start, value_end));
                }
                break;
            }
        }
    }
    best
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// After a keyword ending at `end`: optional spaces, `=`, optional spaces; the position of
/// the value, or `None` when no `=` follows.
fn value_after_equals(bytes: &[u8], end: usize) -> Option<usize> {
    let skip_spaces = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let eq = skip_spaces(end);
    (bytes.get(eq) == Some(&b'=')).then(|| skip_spaces(eq + 1))
}

/// The end of a value starting at `start`: a single-quoted value (backslash escapes, as in
/// libpq) up to its closing quote, else up to the next whitespace.
fn value_end(dsn: &str, start: usize) -> usize {
    let bytes = dsn.as_bytes();
    if bytes.get(start) == Some(&b'\'') {
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'\'' => return i + 1,
                _ => i += 1,
            }
        }
        return bytes.len();
    }
    dsn[start..]
        .find(char::is_whitespace)
        .map_or(dsn.len(), |i| start + i)
}

/// Replaces the password of each `scheme://user:password@host` in `dsn`.
fn redact_uri_userinfo(dsn: &str) -> String {
    let mut out = String::with_capacity(dsn.len());
    let mut rest = dsn;
    while let Some(scheme_end) = rest.find("://") {
        let authority_start = scheme_end + 3;
        let authority_len = rest[authority_start..]
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(rest.len() - authority_start);
        let authority = &rest[authority_start..authority_start + authority_len];
        out.push_str(&rest[..authority_start]);
        match authority.rfind('@').and_then(|at| {
            let userinfo = &authority[..at];
            userinfo.find(':').map(|colon| (colon, at))
        }) {
            Some((colon, at)) => {
                out.push_str(&authority[..=colon]);
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &rest[authority_start + authority_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact_password("PG:dbname=x password=secret host=h"),
            "PG:dbname=x password=*** host=h"
        );
        assert_eq!(
            redact_password("PG:password='a b' dbname=x"),
            "PG:password=*** dbname=x"
        );
        assert_eq!(
            redact_password("PG:password='it\\'s' dbname=x"),
            "PG:password=*** dbname=x"
        );
        assert_eq!(redact_password("PG:dbname=x"), "PG:dbname=x");
    }

    #[test]
    fn password_with_spaces_around_equals_is_redacted() {
        let shown = redact_password("PG:dbname=x password = secret2 host=h");
        assert_eq!(shown, "PG:dbname=x password = *** host=h");
        let shown = redact_password("PG:dbname=x PASSWORD= 'se cret2'");
        assert!(
            !shown.contains("secret2") && !shown.contains("cret2"),
            "{shown}"
        );
    }

    #[test]
    fn password_in_a_uri_is_redacted() {
        assert_eq!(
            redact_password("PG:postgresql://u:secret3@host/db"),
            "PG:postgresql://u:***@host/db"
        );
        assert_eq!(
            redact_password("PG:postgres://u@host/db?sslmode=require&password=secret4"),
            "PG:postgres://u@host/db?sslmode=require&password=***"
        );
        // A colon without `@` is a port, not a password.
        assert_eq!(
            redact_password("PG:postgresql://host:5432/db"),
            "PG:postgresql://host:5432/db"
        );
    }

    #[test]
    fn every_password_is_redacted_and_lookalikes_are_kept() {
        let shown = redact_password("MSSQL:server=s;PWD=pw1 x password=pw2 password=pw3");
        assert!(
            !["pw1", "pw2", "pw3"].iter().any(|p| shown.contains(p)),
            "{shown}"
        );
        assert_eq!(
            redact_password("PG:old_password_hint=yes dbname=x"),
            "PG:old_password_hint=yes dbname=x"
        );
        // Multibyte text around a password: no panic, password gone.
        let shown = redact_password("PG:dbname=地块 password=秘密 host=h");
        assert_eq!(shown, "PG:dbname=地块 password=*** host=h");
    }

    #[test]
    fn labels_print_like_the_paths_they_replace() {
        assert_eq!(
            SourceLabel::file("a/b.geojson", None).to_string(),
            "a/b.geojson"
        );
        let layer = SourceLabel::file("d.gpkg", Some("parcels"));
        assert_eq!(layer.to_string(), "d.gpkg:parcels");
        assert_eq!(layer.to_path_buf(), PathBuf::from("d.gpkg:parcels"));
        let db = SourceLabel::database("PG:dbname=x password=s3", Some("t"), None);
        assert_eq!(db.to_string(), "PG:dbname=x password=*** layer t");
        assert_eq!(db.path(), None);
        assert_eq!(SourceLabel::from("mem").to_string(), "mem");
    }
}

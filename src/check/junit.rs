//! JUnit XML of a check run (the format CI systems read): one `testsuite` per case, one
//! `testcase` per figure, a `failure` for each figure beyond its tolerance and an `error`
//! for a case that could not run.

use std::fmt::Write as _;
use std::path::Path;

use super::{CaseOutcome, FigureCheck};
use crate::io::write::write_atomic;
use crate::{Error, Result};

/// Escapes text for an XML attribute or element.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One line describing a check: expected, actual, relative difference.
pub fn describe(c: &FigureCheck) -> String {
    let num = |v: Option<f64>| v.map_or("-".to_string(), |x| x.to_string());
    let mut s = format!(
        "expected {}, got {}, rel diff {}",
        num(c.expected),
        num(c.actual),
        c.rel_diff.map_or("-".to_string(), |r| format!("{r:.3e}"))
    );
    if let Some(n) = &c.note {
        let _ = write!(s, " ({n})");
    }
    s
}

/// The JUnit XML of a run.
pub fn junit_xml(outcomes: &[CaseOutcome]) -> String {
    let tests: usize = outcomes.iter().map(|o| o.checks.len().max(1)).sum();
    let failures: usize = outcomes.iter().map(CaseOutcome::failures).sum();
    let errors = outcomes.iter().filter(|o| o.error.is_some()).count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"landpool check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    for o in outcomes {
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            esc(&o.name),
            esc(&o.path),
            o.checks.len().max(1),
            o.failures(),
            usize::from(o.error.is_some())
        );
        if let Some(e) = &o.error {
            let _ = writeln!(
                s,
                "    <testcase classname=\"{n}\" name=\"run\">\n      <error message=\"{m}\">{m}</error>\n    </testcase>",
                n = esc(&o.name),
                m = esc(e)
            );
        }
        for c in &o.checks {
            let _ = write!(
                s,
                "    <testcase classname=\"{}\" name=\"{}\"",
                esc(&o.name),
                esc(&c.name)
            );
            if c.pass {
                s.push_str("/>\n");
            } else {
                let _ = writeln!(
                    s,
                    ">\n      <failure message=\"{m}\">{m}</failure>\n    </testcase>",
                    m = esc(&describe(c))
                );
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

/// Writes the JUnit XML of a run to `path` (atomically).
pub fn write_junit(path: &Path, outcomes: &[CaseOutcome]) -> Result<()> {
    let xml = junit_xml(outcomes);
    write_atomic(path, |w| {
        use std::io::Write as _;
        w.write_all(xml.as_bytes()).map_err(|e| Error::io(path, e))
    })
}

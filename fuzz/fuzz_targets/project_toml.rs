//! Project files and rule sets: TOML text parsed as a project file and as a rule set.
#![no_main]

use std::path::Path;

use landpool::policy::rules::RuleSet;
use landpool::project::config::ProjectFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ProjectFile::from_toml_str(text, Path::new("fuzz/project.toml"));
    let _ = RuleSet::from_toml_str(text, Path::new("fuzz/rules.toml"));
});

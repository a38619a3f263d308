//! The mutation runner's engine: seeded mutations of committed fixtures, each run in a
//! child `landpool` process under a time and memory limit, classified by how it ended.
//! Shared by `examples/fuzz_mutate` (by hand, many cases) and the CI-sized test in
//! `tests/hardening_readers.rs`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::mutate::{Rng, mutate};
use super::shpgen;

/// What a run needs.
pub struct Config {
    /// The `landpool` binary to run (a release build for long runs).
    pub bin: PathBuf,
    /// The crate root (seeds come from `data/sample`, `data/rules`, `tests/fixtures`).
    pub root: PathBuf,
    /// Where failing cases are written (one folder each, with the reproducing files).
    pub out: PathBuf,
    pub seed: u64,
    pub cases_per_reader: usize,
    pub time_limit: Duration,
    /// Address-space limit of each child, in MiB.
    pub memory_mib: u64,
    /// Readers to run (all when empty).
    pub readers: Vec<Reader>,
}

/// The inputs mutated, and the command that reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    GeoJson,
    Shapefile,
    GeoPackage,
    ProjectToml,
    RuleSetToml,
}

impl Reader {
    pub const ALL: [Reader; 5] = [
        Reader::GeoJson,
        Reader::Shapefile,
        Reader::GeoPackage,
        Reader::ProjectToml,
        Reader::RuleSetToml,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reader::GeoJson => "geojson",
            Reader::Shapefile => "shapefile",
            Reader::GeoPackage => "gpkg",
            Reader::ProjectToml => "project-toml",
            Reader::RuleSetToml => "ruleset-toml",
        }
    }

    pub fn from_name(name: &str) -> Option<Reader> {
        Reader::ALL.into_iter().find(|r| r.name() == name)
    }

    fn is_text(self) -> bool {
        matches!(
            self,
            Reader::GeoJson | Reader::ProjectToml | Reader::RuleSetToml
        )
    }
}

/// How one case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0, 1 or 2: read, or refused with a message.
    Fine(i32),
    /// Exit 101.
    Panic,
    /// Killed by a signal other than our timeout kill (SIGABRT, SIGSEGV, ...).
    Signal(i32),
    /// Ran past the time limit.
    Timeout,
    /// An allocation failed under the memory limit.
    MemoryLimit,
    /// Any other exit code.
    OtherExit(i32),
}

impl Outcome {
    pub fn is_failure(self) -> bool {
        !matches!(self, Outcome::Fine(_))
    }

    fn label(self) -> String {
        match self {
            Outcome::Fine(c) => format!("exit{c}"),
            Outcome::Panic => "panic".into(),
            Outcome::Signal(s) => format!("signal{s}"),
            Outcome::Timeout => "timeout".into(),
            Outcome::MemoryLimit => "memory".into(),
            Outcome::OtherExit(c) => format!("exit{c}"),
        }
    }
}

/// Counts for one reader.
#[derive(Debug, Default, Clone)]
pub struct ReaderCounts {
    pub cases: usize,
    /// Exit codes 0, 1, 2.
    pub exits: [usize; 3],
    pub panics: usize,
    pub signals: usize,
    pub timeouts: usize,
    pub memory: usize,
    pub other: usize,
    /// Folders of the failing cases.
    pub findings: Vec<PathBuf>,
}

impl ReaderCounts {
    pub fn failures(&self) -> usize {
        self.panics + self.signals + self.timeouts + self.memory + self.other
    }

    fn add(&mut self, outcome: Outcome) {
        self.cases += 1;
        match outcome {
            Outcome::Fine(c) => self.exits[c as usize] += 1,
            Outcome::Panic => self.panics += 1,
            Outcome::Signal(_) => self.signals += 1,
            Outcome::Timeout => self.timeouts += 1,
            Outcome::MemoryLimit => self.memory += 1,
            Outcome::OtherExit(_) => self.other += 1,
        }
    }
}

/// A line per reader: cases, exits 0/1/2, failures by kind.
pub fn summary(results: &[(Reader, ReaderCounts)]) -> String {
    let mut s = String::new();
    for (r, c) in results {
        let _ = writeln!(
            s,
            "{:<13} cases {:>5}  exit0 {:>5}  exit1 {:>5}  exit2 {:>3}  panics {}  signals {}  \
             timeouts {}  memory {}  other {}",
            r.name(),
            c.cases,
            c.exits[0],
            c.exits[1],
            c.exits[2],
            c.panics,
            c.signals,
            c.timeouts,
            c.memory,
            c.other
        );
        for f in &c.findings {
            let _ = writeln!(s, "  finding: {}", f.display());
        }
    }
    s
}

/// One input file of a case: its name in the case folder and its bytes.
#[derive(Clone)]
struct InputFile {
    name: String,
    bytes: Vec<u8>,
}

/// A seed: the files of one input, which one(s) may be mutated, and how it is read.
#[derive(Clone)]
struct Seed {
    /// Every file the command needs, written into the case folder.
    files: Vec<InputFile>,
    /// Indexes into `files` that mutations may touch.
    mutable: Vec<usize>,
    /// Arguments after the binary; `{dir}` stands for the case folder.
    args: Vec<String>,
}

/// Runs every reader's cases; failing cases are written under `config.out`.
pub fn run(config: &Config) -> Result<Vec<(Reader, ReaderCounts)>, String> {
    let readers = if config.readers.is_empty() {
        Reader::ALL.to_vec()
    } else {
        config.readers.clone()
    };
    let work = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let mut results = Vec::new();
    for reader in readers {
        let seeds = seeds_for(reader, &config.root)?;
        if seeds.is_empty() {
            return Err(format!("no seed inputs found for {}", reader.name()));
        }
        let mut counts = ReaderCounts::default();
        for case in 0..config.cases_per_reader {
            let mut rng = Rng::new(case_seed(config.seed, reader, case));
            let seed = &seeds[rng.below(seeds.len())];
            let input = mutate_seed(seed, reader, &mut rng);
            let dir = work.path().join(format!("{}-{case}", reader.name()));
            let outcome = run_case(config, &input, &dir)?;
            counts.add(outcome);
            if outcome.is_failure() {
                let kept = keep_finding(config, reader, case, outcome, &input, &dir)?;
                counts.findings.push(kept);
            }
            let _ = fs::remove_dir_all(&dir);
        }
        results.push((reader, counts));
    }
    Ok(results)
}

/// The per-case RNG seed: a case is reproducible from (run seed, reader, case number) alone.
fn case_seed(seed: u64, reader: Reader, case: usize) -> u64 {
    let mut rng = Rng::new(seed ^ ((reader as u64 + 1) << 56) ^ case as u64);
    rng.next_u64()
}

/// The seed inputs of a reader, in a fixed order.
fn seeds_for(reader: Reader, root: &Path) -> Result<Vec<Seed>, String> {
    match reader {
        Reader::GeoJson => {
            let mut files = Vec::new();
            for dir in ["data/sample", "tests/fixtures"] {
                collect_files(&root.join(dir), "geojson", &mut files);
            }
            files.sort();
            files
                .iter()
                .map(|p| single_file_seed(p, "case.geojson", &["inspect", "{dir}/case.geojson"]))
                .collect()
        }
        Reader::GeoPackage => {
            let mut files = Vec::new();
            collect_files(&root.join("tests/fixtures"), "gpkg", &mut files);
            files.sort();
            // Each features table of each GeoPackage is a seed of its own.
            let mut seeds = Vec::new();
            for p in &files {
                for layer in ["parcels", "zones_polygon", "zones_z"] {
                    let arg = format!("{{dir}}/case.gpkg:{layer}");
                    seeds.push(single_file_seed(p, "case.gpkg", &["inspect", &arg])?);
                }
            }
            Ok(seeds)
        }
        Reader::Shapefile => Ok(vec![synthetic_shapefile_seed()]),
        Reader::ProjectToml | Reader::RuleSetToml => toml_seeds(reader, root),
    }
}

fn collect_files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

fn single_file_seed(path: &Path, name: &str, args: &[&str]) -> Result<Seed, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Seed {
        files: vec![InputFile {
            name: name.into(),
            bytes,
        }],
        mutable: vec![0],
        args: args.iter().map(|s| s.to_string()).collect(),
    })
}

/// A small Shapefile set made here (no binary fixture to commit): two polygons, one with a
/// hole, one record flagged deleted, UTF-8 text with Chinese, number, date and logical
/// fields, a .cpg and a .prj.
fn synthetic_shapefile_seed() -> Seed {
    let shapes = vec![
        vec![
            shpgen::square(500_000.0, 2_500_000.0, 100.0, true),
            shpgen::square(500_010.0, 2_500_010.0, 10.0, false),
        ],
        vec![shpgen::square(500_200.0, 2_500_000.0, 50.0, true)],
        vec![shpgen::square(500_400.0, 2_500_000.0, 30.0, true)],
    ];
    let (shp, shx) = shpgen::polygon_shp(&shapes);
    let fields = [
        shpgen::DbfField {
            name: "NAME",
            kind: b'C',
            width: 12,
            decimals: 0,
        },
        shpgen::DbfField {
            name: "AREA",
            kind: b'N',
            width: 12,
            decimals: 2,
        },
        shpgen::DbfField {
            name: "CODE",
            kind: b'N',
            width: 6,
            decimals: 0,
        },
        shpgen::DbfField {
            name: "DATE",
            kind: b'D',
            width: 8,
            decimals: 0,
        },
        shpgen::DbfField {
            name: "OK",
            kind: b'L',
            width: 1,
            decimals: 0,
        },
    ];
    let records = vec![
        (
            false,
            vec!["光明新区".as_bytes(), b"9900.00", b"1", b"20170310", b"T"],
        ),
        (
            true,
            vec!["南山".as_bytes(), b"2500.00", b"2", b"20200101", b"F"],
        ),
        (
            false,
            vec![b"Futian".as_slice(), b"900.00", b"3", b"", b"?"],
        ),
    ];
    let dbf = shpgen::dbf(&fields, &records);
    let file = |name: &str, bytes: Vec<u8>| InputFile {
        name: name.into(),
        bytes,
    };
    Seed {
        files: vec![
            file("case.shp", shp),
            file("case.shx", shx),
            file("case.dbf", dbf),
            file("case.prj", shpgen::PRJ_4547.as_bytes().to_vec()),
            file("case.cpg", b"UTF-8".to_vec()),
        ],
        mutable: vec![0, 1, 2, 3, 4],
        args: vec!["inspect".into(), "{dir}/case.shp".into()],
    }
}

/// Project files and rule sets: the sample project and example A with their layers and the
/// rule sets beside them, as `assess` reads them (relative paths kept).
fn toml_seeds(reader: Reader, root: &Path) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for (project_dir, rules_dir) in [
        ("data/sample", "data/rules"),
        ("tests/fixtures/example_a", "data/rules"),
    ] {
        let mut files = Vec::new();
        let mut mutable = Vec::new();
        let mut add_dir = |dir: &str, into: &str| -> Result<(), String> {
            let mut paths: Vec<PathBuf> = fs::read_dir(root.join(dir))
                .map_err(|e| format!("{dir}: {e}"))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            paths.sort();
            for p in paths {
                let name = format!(
                    "{into}/{}",
                    p.file_name().unwrap_or_default().to_string_lossy()
                );
                let is_target = match reader {
                    Reader::ProjectToml => {
                        name == format!("{into}/project.toml") && into == "project"
                    }
                    _ => into == "rules" && name.ends_with(".toml"),
                };
                if is_target {
                    mutable.push(files.len());
                }
                let bytes = fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                files.push(InputFile { name, bytes });
            }
            Ok(())
        };
        add_dir(project_dir, "project")?;
        add_dir(rules_dir, "rules")?;
        // The sample project names its rule sets as ../rules/...; example A may use another
        // path: point both at the copied folder.
        for f in &mut files {
            if f.name == "project/project.toml" {
                let text = String::from_utf8_lossy(&f.bytes).into_owned();
                f.bytes = text
                    .replace("../../../data/rules/", "../rules/")
                    .into_bytes();
            }
        }
        if !mutable.is_empty() {
            seeds.push(Seed {
                files,
                mutable,
                args: vec![
                    "assess".into(),
                    "{dir}/project/project.toml".into(),
                    "--out".into(),
                    "{dir}/out".into(),
                ],
            });
        }
    }
    Ok(seeds)
}

/// A copy of the seed with 1 to 3 mutations applied to one of its mutable files (or, for a
/// multi-file input, sometimes a side-car removed).
fn mutate_seed(seed: &Seed, reader: Reader, rng: &mut Rng) -> Seed {
    let mut out = seed.clone();
    let target = seed.mutable[rng.below(seed.mutable.len())];
    if reader == Reader::Shapefile && target != 0 && rng.below(12) == 0 {
        out.files.remove(target);
        return out;
    }
    let n = 1 + rng.below(3);
    for _ in 0..n {
        let bytes = &mut out.files[target].bytes;
        mutate(bytes, reader.is_text(), rng);
    }
    out
}

/// Writes the case and runs it under the limits.
fn run_case(config: &Config, input: &Seed, dir: &Path) -> Result<Outcome, String> {
    write_case(input, dir)?;
    let args: Vec<String> = input
        .args
        .iter()
        .map(|a| a.replace("{dir}", &dir.to_string_lossy()))
        .collect();
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--as={}", config.memory_mib * 1024 * 1024))
        .arg("--")
        .arg(&config.bin)
        .args(&args)
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run prlimit {}: {e}", config.bin.display()))?;
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_end(&mut e, &mut s);
        }
        s
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > config.time_limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().map_err(|e| e.to_string())?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = reader.join().unwrap_or_default();
    fs::write(dir.join("stderr.txt"), &stderr).map_err(|e| e.to_string())?;
    Ok(classify(status, timed_out, &stderr))
}

fn classify(status: std::process::ExitStatus, timed_out: bool, stderr: &[u8]) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    if timed_out {
        return Outcome::Timeout;
    }
    let text = String::from_utf8_lossy(stderr);
    let oom = text.contains("memory allocation of") || text.contains("capacity overflow");
    match (status.code(), status.signal()) {
        (Some(c @ 0..=2), _) => Outcome::Fine(c),
        (Some(101), _) if oom => Outcome::MemoryLimit,
        (Some(101), _) => Outcome::Panic,
        (Some(c), _) => Outcome::OtherExit(c),
        (None, Some(_)) if oom => Outcome::MemoryLimit,
        (None, Some(s)) => Outcome::Signal(s),
        (None, None) => Outcome::OtherExit(-1),
    }
}

fn write_case(input: &Seed, dir: &Path) -> Result<(), String> {
    for f in &input.files {
        let p = dir.join(&f.name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&p, &f.bytes).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(())
}

/// Copies a failing case (inputs, stderr, command) to `out/<reader>-<case>-<outcome>/`.
fn keep_finding(
    config: &Config,
    reader: Reader,
    case: usize,
    outcome: Outcome,
    input: &Seed,
    dir: &Path,
) -> Result<PathBuf, String> {
    let dest = config.out.join(format!(
        "{}-seed{}-case{case}-{}",
        reader.name(),
        config.seed,
        outcome.label()
    ));
    write_case(input, &dest)?;
    let _ = fs::copy(dir.join("stderr.txt"), dest.join("stderr.txt"));
    let args: Vec<String> = input
        .args
        .iter()
        .map(|a| a.replace("{dir}", &dest.to_string_lossy()))
        .collect();
    let command = format!("{} {}\n", config.bin.display(), args.join(" "));
    fs::write(dest.join("command.txt"), command).map_err(|e| e.to_string())?;
    Ok(dest)
}

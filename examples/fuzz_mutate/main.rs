//! Mutation fuzzing of landpool's readers on the stable toolchain.
//!
//! Seeded, deterministic mutations (byte flips, truncations, chunk duplication, huge counts
//! in headers, non-UTF-8 bytes, BOMs, odd numbers, deep nesting) of the committed fixtures
//! (`data/sample`, `data/rules`, `tests/fixtures`, plus a Shapefile set made in code), each
//! run as a child `landpool inspect` (layers) or `landpool assess` (project and rule-set
//! TOML) under `prlimit --as` and a wall-clock limit. Exit 0/1/2 is fine; a panic (101),
//! a signal (abort, segfault), a timeout or a memory-limit hit is a finding, written with
//! its reproducing files to `--out`.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example fuzz_mutate -- --cases 500 --seed 1 --out /tmp/fuzz-findings
//! ```
//!
//! Options: `--bin PATH` (default `target/release/landpool`), `--cases N` per reader
//! (default 200), `--seed S` (default 1), `--out DIR` (default `fuzz-findings`),
//! `--reader NAME` (repeatable: geojson, shapefile, gpkg, project-toml, ruleset-toml),
//! `--timeout-ms MS` (default 10000), `--memory-mib MIB` (default 2048).
//! Exit status: 0 when no case failed, 1 when some did, 2 on bad options.

mod engine;
mod mutate;
mod shpgen;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use engine::{Config, Reader};

fn parse_args() -> Result<Config, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config {
        bin: root.join("target/release/landpool"),
        root: root.clone(),
        out: PathBuf::from("fuzz-findings"),
        seed: 1,
        cases_per_reader: 200,
        time_limit: Duration::from_secs(10),
        memory_mib: 2048,
        readers: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--bin" => config.bin = PathBuf::from(value()?),
            "--out" => config.out = PathBuf::from(value()?),
            "--cases" => config.cases_per_reader = number(value()?)? as usize,
            "--seed" => config.seed = number(value()?)?,
            "--timeout-ms" => config.time_limit = Duration::from_millis(number(value()?)?),
            "--memory-mib" => config.memory_mib = number(value()?)?,
            "--reader" => {
                let v = value()?;
                config
                    .readers
                    .push(Reader::from_name(&v).ok_or(format!("unknown reader `{v}`"))?);
            }
            "-h" | "--help" => {
                return Err(
                    "usage: fuzz_mutate [--bin PATH] [--cases N] [--seed S] [--out DIR] \
                            [--reader NAME]... [--timeout-ms MS] [--memory-mib MIB]"
                        .into(),
                );
            }
            other => return Err(format!("unknown option `{other}` (see --help)")),
        }
    }
    if !config.bin.exists() {
        return Err(format!(
            "{} does not exist: run `cargo build --release` first, or give --bin",
            config.bin.display()
        ));
    }
    Ok(config)
}

fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match engine::run(&config) {
        Ok(results) => {
            print!("{}", engine::summary(&results));
            let failures: usize = results.iter().map(|(_, c)| c.failures()).sum();
            let cases: usize = results.iter().map(|(_, c)| c.cases).sum();
            println!(
                "{cases} cases, {failures} failing, seed {}, {:.1} s",
                config.seed,
                started.elapsed().as_secs_f64()
            );
            if failures == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

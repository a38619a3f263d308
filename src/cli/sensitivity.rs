//! `landpool sensitivity`: how the figures move with the illustrative rule values.

use std::path::PathBuf;
use std::process::ExitCode;

use landpool::project::{ProjectFile, RuleSets, assess_loaded, load_layers};
use landpool::sensitivity::{DEFAULT_RANGE, analyse, write_outputs};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  landpool sensitivity data/sample/project.toml
  landpool sensitivity project.toml --range 0.2 --out results/GM-001-sensitivity

Every illustrative (unpublished) value the figures' computation read moves to
value × (1 − range) and value × (1 + range), one at a time; the layers are read and measured
once. Dates, texts, whole numbers of years or months, zeros and values the figures do not
read are listed as skipped. --out gets sensitivity.json (everything), sensitivity.csv (per
figure, the values ranked by swing), sensitivity_envelope.csv and sensitivity.html (tornado
charts, readable offline); the folder is replaced as a whole.
Exit code: 0 ok, 1 bad input (data, project file or rule set), 2 usage.")]
pub struct Args {
    /// The project file (project.toml).
    pub project: PathBuf,
    /// Relative change of each value (0.1 = ±10 %), between 0 and 1.
    #[arg(long, default_value_t = DEFAULT_RANGE)]
    pub range: f64,
    /// Output folder. Default: `sensitivity` beside the project file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Language of sensitivity.html: zh (Chinese, the default) or en.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    pub lang: landpool::report::html::Lang,
    /// Do not print the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = ProjectFile::load(&args.project)?;
    let rules = RuleSets::load(&config)?;
    let layers = load_layers(&config)?;
    let run = assess_loaded(config, layers, &rules)?;
    let s = analyse(&run, &rules, args.range)?;
    let out = args.out.unwrap_or_else(|| {
        args.project
            .parent()
            .map_or_else(|| PathBuf::from("sensitivity"), |p| p.join("sensitivity"))
    });
    write_outputs(&out, &s, args.lang)?;
    if !args.quiet {
        println!(
            "Sensitivity of {} (rule set {}) to ±{}% of each illustrative value:",
            s.project_id,
            s.rule_set_id,
            s.range * 100.0
        );
        for f in &s.figures {
            println!(
                "  {}: base {:.2}, envelope {:.2} – {:.2}",
                f.figure.key(),
                f.base,
                f.envelope.low,
                f.envelope.high
            );
            for b in f.bars.iter().take(5) {
                println!(
                    "    {:>2}. {:<45} {:.2} – {:.2} (swing {:.2})",
                    b.rank, b.key, b.at_low, b.at_high, b.swing
                );
            }
        }
        for v in &s.skipped {
            println!("  skipped {} = {}: {}", v.key, v.value, v.explanation);
        }
        println!(
            "\nWrote {}/sensitivity.json, sensitivity.csv, sensitivity_envelope.csv, sensitivity.html",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

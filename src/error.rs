//! The one error type of the library. Every variant names the file and, where there is
//! one, the feature or key at fault, so that an analyst can find the problem in QGIS.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in landpool's library code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system error on a named file.
    #[error("{path}: {source}")]
    Io {
        /// The file (or folder) at fault.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },

    /// The file could not be parsed; `line`/`column` are 1-based where known.
    #[error("{path}{}: {message}", location(*line, *column))]
    Parse {
        /// The file (or folder) at fault.
        path: PathBuf,
        /// 1-based line, where known.
        line: Option<usize>,
        /// 1-based column, where known.
        column: Option<usize>,
        /// What is wrong, and what is allowed where that is known.
        message: String,
    },

    /// One feature of a layer is unusable (wrong geometry type, bad attribute, ...).
    #[error("{path}: feature {feature}: {message}")]
    Feature {
        /// The file (or folder) at fault.
        path: PathBuf,
        /// The feature (its id, or its index when it has none).
        feature: String,
        /// What is wrong, and what is allowed where that is known.
        message: String,
    },

    /// Text could not be decoded with the encoding in force.
    #[error("{path}: {message}")]
    Encoding {
        /// The file whose text is at fault.
        path: PathBuf,
        /// What could not be decoded.
        message: String,
    },

    /// Missing, unknown or unusable coordinate reference system.
    #[error("{path}: {message}")]
    Crs {
        /// The file (or `--crs` value) at fault.
        path: PathBuf,
        /// What is wrong with the CRS.
        message: String,
    },

    /// The file extension / format is not supported by this build.
    #[error("{path}: unsupported format; supported formats: {supported}")]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// The formats this build reads.
        supported: String,
    },

    /// A configuration file (rule set, project, district) has a bad or missing key.
    #[error("{path}{}: {}{message}", location(*line, *column), key_prefix(key))]
    Config {
        /// The file (or folder) at fault.
        path: PathBuf,
        /// 1-based line, where known.
        line: Option<usize>,
        /// 1-based column, where known.
        column: Option<usize>,
        /// The dotted key (`plan.planned_far`, `rule_sets.new`).
        key: String,
        /// What is wrong, and what is allowed where that is known.
        message: String,
    },

    /// A database (or other GDAL connection) could not be opened, read or written. `source`
    /// is the connection string without its password.
    #[error("{source_name}: {message}")]
    Database {
        /// The connection string, without its password.
        source_name: String,
        /// What is wrong, and what is allowed where that is known.
        message: String,
    },

    /// A geometry operation failed for a named feature (or pair of features).
    #[error("geometry error for {feature}: {message}")]
    Geometry {
        /// The feature or pair of features.
        feature: String,
        /// What failed.
        message: String,
    },

    /// A policy computation cannot proceed (missing input, invalid value).
    #[error("policy: {message}")]
    Policy {
        /// What is missing or invalid.
        message: String,
    },

    /// Invalid arguments or options given by the caller.
    #[error("{0}")]
    Usage(String),
}

fn key_prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    }
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the error is about the user's input data or configuration (exit code 1),
    /// false when it is about how the program was called (exit code 2).
    pub fn is_input_problem(&self) -> bool {
        !matches!(self, Error::Usage(_))
    }
}

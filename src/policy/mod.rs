//! The policy engine: rule sets with provenance, tenure classification, rights floor area,
//! eligibility and retained-land siting. It takes measured quantities (areas, shares) and
//! knows no file formats.

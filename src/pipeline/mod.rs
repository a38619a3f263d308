//! Whole commands as library entry points: typed options in, typed results out, split into
//! named steps. The binary (`src/cli/`) only parses arguments into these options, calls the
//! entry point and prints or writes the result.
//!
//! * [`inspect`] — [`inspect::inspect_layer`]: [`inspect::InspectOptions`] →
//!   [`inspect::InspectReport`] (`landpool inspect`).
//! * [`overlay`] — [`overlay::overlay_layers`] and [`overlay::overlay_to_files`]:
//!   [`overlay::OverlayOptions`] → [`overlay::OverlayResult`] (`landpool overlay`).
//!
//! Every entry point validates its input layers once and applies one
//! [`RepairPolicy`](crate::geom::repair::RepairPolicy) (repair by default, refuse with
//! `--no-repair`) through [`crate::geom::repair`], the policy `assess` and `batch` follow.
//! Nothing here prints: progress goes through a callback, notes and repairs are returned.

pub mod inspect;
mod inspect_render;
pub mod overlay;
mod overlay_steps;

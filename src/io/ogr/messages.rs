//! GDAL's messages: routing its error handler, the first failure of a call, and GDAL's
//! own error texts, always without passwords.

use super::*;

/// Routes GDAL's own messages: failures are not printed (landpool reports them itself, with
/// the file and layer, from GDAL's last error message); warnings go to stderr prefixed
/// `GDAL warning:`, passwords removed. GDAL's default handler would print both, raw.
/// For programs (the CLI); a library user may prefer their own handler.
pub fn route_gdal_messages() {
    gdal::config::set_error_handler(|class, _code, message| match class {
        gdal::errors::CplErrType::Warning => {
            eprintln!("GDAL warning: {}", redact_password(message.trim()));
        }
        gdal::errors::CplErrType::Failure | gdal::errors::CplErrType::Fatal => {
            RECENT_FAILURES.with(|f| {
                let mut f = f.borrow_mut();
                if f.len() < 8 {
                    f.push(redact_password(message.trim()));
                }
            });
        }
        _ => {}
    });
}

thread_local! {
    /// GDAL failures raised on this thread since [`take_first_failure`] last cleared them
    /// (filled only when [`route_gdal_messages`] is in force). GDAL's "last error" is often a
    /// consequence (`current transaction is aborted`); the first one is the cause.
    static RECENT_FAILURES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The first GDAL failure recorded on this thread since the last call, and clears the record.
pub(super) fn take_first_failure() -> Option<String> {
    RECENT_FAILURES.with(|f| {
        let mut f = f.borrow_mut();
        let first = f.first().cloned();
        f.clear();
        first
    })
}

/// GDAL's own message, without passwords it may echo back. Errors that carry only an OGR
/// code (`returned error: '6'`) get GDAL's last error message, which says what went wrong.
pub(super) fn gdal_message(e: &gdal::errors::GdalError) -> String {
    let own = redact_password(e.to_string().trim());
    if matches!(e, gdal::errors::GdalError::OgrError { .. }) {
        let last = last_gdal_error();
        if !last.is_empty() && !own.contains(&last) {
            return format!("{own}: {last}");
        }
    }
    own
}

/// GDAL's last error message (for calls made through gdal-sys).
pub(super) fn last_gdal_error() -> String {
    // SAFETY: CPLGetLastErrorMsg returns a pointer to a thread-local, NUL-terminated string.
    let msg = unsafe { std::ffi::CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) };
    redact_password(msg.to_string_lossy().trim())
}

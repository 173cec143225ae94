//! The security headers every answer of every app carries (the apps set them: `appkit`'s
//! `headers`; nginx mirrors them with `always` in production, so that its own answers, a 502
//! while an app restarts, carry them too). The Content-Security-Policy is each answer's own
//! (pages have a nonce) and stays with the apps.

/// What may use the browser's sensitive features: the camera for the page's own origin (door
/// check-in scans codes), payment for the page's own origin, nothing else.
pub const PERMISSIONS: &str =
    "camera=(self), microphone=(), geolocation=(), payment=(self), usb=()";

/// `(header, value)` on every answer (names in lower case, as HTTP/2 sends them).
pub const EVERYWHERE: [(&str, &str); 5] = [
    ("x-content-type-options", "nosniff"),
    // For browsers without CSP's `frame-ancestors`.
    ("x-frame-options", "DENY"),
    // No paths or tokens leave the suite in a `Referer`.
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", PERMISSIONS),
    ("cross-origin-opener-policy", "same-origin"),
];

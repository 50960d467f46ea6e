//! What the report charts (ledger, team grades) share.

/// Text made safe inside SVG markup and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

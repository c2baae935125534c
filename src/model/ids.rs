//! Trace and span id normalisation.
//!
//! Ids arrive as hex of any case, with leading zeros sometimes dropped (Jaeger
//! v1 writes 15- and 31-character ids), as base64 (protobuf JSON), or as
//! opaque strings in synthetic data. Hex ids are lower-cased and padded to 16
//! or 32 characters so that one span is found under one spelling; anything
//! else is kept as it was written.

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn pad_hex(s: &str, widths: &[usize]) -> Option<String> {
    // Most ids come as they should be, lower-case hex of a full width.
    if widths.contains(&s.len()) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Some(s.to_string());
    }
    if !is_hex(s) {
        return None;
    }
    let width = widths
        .iter()
        .copied()
        .find(|&w| s.len() <= w)
        .unwrap_or(s.len());
    let mut out = String::with_capacity(width);
    for _ in s.len()..width {
        out.push('0');
    }
    out.push_str(s);
    out.make_ascii_lowercase();
    Some(out)
}

/// Normalises a span id: hex up to 16 digits is padded to 16, otherwise as written.
pub fn normalize_span_id(s: &str) -> String {
    let s = s.trim();
    pad_hex(s, &[16]).unwrap_or_else(|| s.to_string())
}

/// Normalises a trace id: hex up to 16 digits is padded to 16, up to 32 to 32.
pub fn normalize_trace_id(s: &str) -> String {
    let s = s.trim();
    pad_hex(s, &[16, 32]).unwrap_or_else(|| s.to_string())
}

/// Decodes an OTLP id that is either hex (the OTLP/JSON spec) or base64
/// (protobuf JSON, as Tempo and the Collector sometimes write it), into hex.
/// `bytes` is the id's binary length (16 for a trace id, 8 for a span id).
pub fn otlp_id_to_hex(s: &str, bytes: usize) -> String {
    use base64::Engine;
    let s = s.trim();
    if s.len() == bytes * 2 && is_hex(s) {
        return s.to_ascii_lowercase();
    }
    if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(s) {
        if raw.len() == bytes {
            return raw.iter().map(|b| format!("{b:02x}")).collect();
        }
    }
    if bytes == 16 {
        normalize_trace_id(s)
    } else {
        normalize_span_id(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_dropped_leading_zeros() {
        assert_eq!(normalize_span_id("ec2b4e0bcea566d"), "0ec2b4e0bcea566d");
        assert_eq!(normalize_trace_id("ABC"), "0000000000000abc");
        assert_eq!(
            normalize_trace_id("1f0e2d3c4b5a69788796a5b4c3d2e1f"),
            "01f0e2d3c4b5a69788796a5b4c3d2e1f"
        );
    }

    #[test]
    fn keeps_opaque_ids() {
        assert_eq!(normalize_span_id("span-2_1"), "span-2_1");
        assert_eq!(normalize_trace_id("trace-123"), "trace-123");
    }

    #[test]
    fn decodes_base64_otlp_ids() {
        assert_eq!(otlp_id_to_hex("AAAAAAAAAAE=", 8), "0000000000000001");
        assert_eq!(
            otlp_id_to_hex("5B8EFFF798038103D269B633813FC60C", 16),
            "5b8efff798038103d269b633813fc60c"
        );
    }
}

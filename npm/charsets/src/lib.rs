//! Text decoding for the npm package in Node: the crate's `text()` decodes with
//! encoding_rs, and the package's main wasm leaves encoding_rs out (its tables are half
//! the wasm), decoding with the platform's `TextDecoder` instead. Browsers implement the
//! WHATWG Encoding Standard's decoders, as encoding_rs does; Node's `TextDecoder` (ICU)
//! departs from them for legacy encodings (windows-1252's 0x80-0x9F, Big5, EUC-KR,
//! Shift_JIS, EUC-JP, ...) and lacks ISO-8859-16 and x-user-defined. So in Node the
//! package decodes every charset but UTF-8 and UTF-16 with this: encoding_rs alone,
//! compiled to its own small wasm, read from disk the first time such a body is decoded.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

/// The encoding a charset label names; UTF-8 for a label the Encoding Standard does not
/// know, as the crate reads it.
fn encoding(label: &str) -> &'static encoding_rs::Encoding {
    encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::UTF_8)
}

/// The canonical name of the encoding `label` names, as the crate's errors spell it.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen)]
pub fn name(label: &str) -> String {
    encoding(label).name().to_owned()
}

/// `bytes` as text in the encoding `label` names, decoded as the crate's `text()` does
/// (a BOM of that encoding removed), or `None` (`undefined`) when they are not valid text
/// in it.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen)]
pub fn decode(label: &str, bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = encoding(label).decode_with_bom_removal(bytes);
    (!had_errors).then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_the_crate_does() {
        assert_eq!(name("latin1"), "windows-1252");
        assert_eq!(name("no-such-label"), "UTF-8");
        assert_eq!(
            decode("latin1", b"caf\xe9 \x80").as_deref(),
            Some("caf\u{e9} \u{20ac}")
        );
        assert_eq!(decode("utf-8", b"caf\xe9"), None);
        assert_eq!(decode("iso-2022-kr", b"x"), None);
        assert_eq!(decode("iso-2022-kr", b"").as_deref(), Some(""));
    }
}

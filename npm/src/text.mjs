// Text decoding for the JS API (internal to the package): in the charset the Rust
// front-end reads from Content-Type, strictly, as the crate's `text()` does with
// encoding_rs. Browsers' TextDecoder implements the same WHATWG Encoding Standard, so the
// package's wasm leaves encoding_rs out. Node's TextDecoder (ICU) departs from the
// standard for legacy encodings (windows-1252's 0x80-0x9F, Big5, EUC-KR, Shift_JIS, ...)
// and lacks ISO-8859-16 and x-user-defined: there the entry point (index.node.mjs)
// installs encoding_rs itself, a small wasm of its own, for every charset but UTF-8 and
// UTF-16, which Node decodes as the standard does.

/** The canonical names (as the crate's messages spell them) of the encodings whose name is
 *  not TextDecoder's lowercase one. */
const NAMES = new Map(
  "UTF-8 IBM866 ISO-8859-2 ISO-8859-3 ISO-8859-4 ISO-8859-5 ISO-8859-6 ISO-8859-7 ISO-8859-8 ISO-8859-8-I ISO-8859-10 ISO-8859-13 ISO-8859-14 ISO-8859-15 ISO-8859-16 KOI8-R KOI8-U GBK Big5 EUC-JP ISO-2022-JP Shift_JIS EUC-KR UTF-16BE UTF-16LE"
    .split(" ")
    .map((name) => [name.toLowerCase(), name]),
);
/** The labels of the "replacement" encoding, which TextDecoder refuses: any text in it is
 *  invalid. */
const REPLACEMENT = new Set(["csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr", "replacement"]);
const UNICODE = new Set(["utf-8", "utf-16le", "utf-16be"]);

/** A decoder on the platform's TextDecoder: `decode` gives the text, or undefined for
 *  bytes that are not valid text in its encoding. */
function platform(decoder) {
  return {
    name: NAMES.get(decoder.encoding) ?? decoder.encoding,
    decode(bytes) {
      try {
        return decoder.decode(bytes);
      } catch {
        return undefined;
      }
    },
  };
}

const UTF8 = platform(new TextDecoder("utf-8", { fatal: true }));
const decoders = new Map();
/** `(label) => decoder` for the charsets the platform does not decode as the standard does
 *  (Node's entry point sets it). */
let legacy;

/** Makes `factory` decode every charset but UTF-8 and UTF-16. */
export function useLegacyDecoders(factory) {
  legacy = factory;
  decoders.clear();
}

/** The decoder for a charset label (`undefined`: none declared): `{name, decode(bytes)}`,
 *  `decode` giving undefined for invalid text. A label the standard does not know is read
 *  as UTF-8, as the crate does. */
export function decoderFor(label) {
  if (label === undefined) return UTF8;
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    decoder = make(label);
    if (decoders.size < 64) decoders.set(label, decoder);
  }
  return decoder;
}

function make(label) {
  let decoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    // An unknown label, one of the replacement encoding, or one this platform lacks.
  }
  if (decoder !== undefined && (legacy === undefined || UNICODE.has(decoder.encoding))) return platform(decoder);
  if (legacy !== undefined) return legacy(label);
  const key = label.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
  if (REPLACEMENT.has(key)) return { name: "replacement", decode: (bytes) => (bytes.length === 0 ? "" : undefined) };
  return UTF8;
}

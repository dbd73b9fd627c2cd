//! Byte-level mutations: bit flips, byte insert/delete/duplicate, splices from the corpus,
//! and insertion of the target's interesting tokens.

use crate::rng::Rng;

/// Bytes that are delimiters or edge cases in most of the grammars fuzzed here.
const INTERESTING: &[u8] = b"\0\t\n\r \"%',-./:;=?@[\\]\x7f\x80\xc3\xff";

/// Mutates `input` with 1 to 4 stacked mutations; `corpus` feeds splices, `tokens` the
/// dictionary insertions. The result is at most `max_len` bytes.
pub fn mutate(
    rng: &mut Rng,
    input: &[u8],
    corpus: &[Vec<u8>],
    tokens: &[&[u8]],
    max_len: usize,
) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        mutate_once(rng, &mut out, corpus, tokens);
    }
    out.truncate(max_len);
    out
}

fn mutate_once(rng: &mut Rng, out: &mut Vec<u8>, corpus: &[Vec<u8>], tokens: &[&[u8]]) {
    let len = out.len();
    match rng.below(11) {
        0 if len > 0 => {
            let i = rng.below(len);
            out[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            out[i] = rng.byte();
        }
        2 if len > 0 => {
            let i = rng.below(len);
            out[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        3 => {
            let at = rng.below(len + 1);
            let byte = if rng.one_in(2) {
                INTERESTING[rng.below(INTERESTING.len())]
            } else {
                rng.byte()
            };
            out.insert(at, byte);
        }
        4 if len > 0 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(16));
            out.drain(at..at + n);
        }
        5 if len > 0 => {
            // Duplicate a range: repeats (`gzip,gzip`, `\r\n\r\n`) come from here.
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(32));
            let copy = out[at..at + n].to_vec();
            let to = rng.below(len + 1);
            out.splice(to..to, copy);
        }
        6 if !corpus.is_empty() => {
            // Splice: a slice of another corpus input replaces our tail or goes in the middle.
            let other = &corpus[rng.below(corpus.len())];
            if other.is_empty() {
                return;
            }
            let from = rng.below(other.len());
            let n = 1 + rng.below(other.len() - from);
            let piece = &other[from..from + n];
            let at = rng.below(len + 1);
            if rng.one_in(2) {
                out.truncate(at);
                out.extend_from_slice(piece);
            } else {
                out.splice(at..at, piece.iter().copied());
            }
        }
        7 | 8 if !tokens.is_empty() => {
            let token = tokens[rng.below(tokens.len())];
            let at = rng.below(len + 1);
            if rng.one_in(3) && at < len {
                // Replace a range with the token.
                let n = 1 + rng.below((len - at).min(8));
                out.splice(at..at + n, token.iter().copied());
            } else {
                out.splice(at..at, token.iter().copied());
            }
        }
        9 if len > 1 => {
            out.truncate(rng.below(len));
        }
        10 if len > 1 => {
            // Swap two bytes: reorders delimiters.
            let (a, b) = (rng.below(len), rng.below(len));
            out.swap(a, b);
        }
        _ => {
            // The operation did not apply to this input: append a token or a byte instead.
            match tokens.get(rng.below(tokens.len().max(1))) {
                Some(token) => out.extend_from_slice(token),
                None => out.push(rng.byte()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_mutations() {
        let corpus = vec![b"gzip, br".to_vec(), b"a=1; Path=/".to_vec()];
        let tokens: &[&[u8]] = &[b"//", b"%2F", b"\r\n"];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..200)
                .map(|i| mutate(&mut rng, &corpus[i % 2], &corpus, tokens, 64))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(7).iter().all(|m| m.len() <= 64));
    }
}

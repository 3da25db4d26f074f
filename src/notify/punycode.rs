//! Punycode (RFC 3492) decoding, to tell a real `xn--` label from one that only looks
//! like one. The strict URL reader takes international hosts in their `xn--` form only;
//! a label that does not decode, or decodes to plain ASCII, is not a name any resolver
//! or browser agrees on, so it is refused.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The label's characters, from the part after `xn--`; `None` if it is not Punycode.
pub fn decode(encoded: &str) -> Option<Vec<char>> {
    let (basic, deltas) = match encoded.rfind('-') {
        Some(at) => (&encoded[..at], &encoded[at + 1..]),
        None => ("", encoded),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut digits = deltas.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut weight = 1u32;
        let mut k = BASE;
        loop {
            let digit = digit_value(digits.next()?)?;
            i = i.checked_add(digit.checked_mul(weight)?)?;
            let threshold = if k <= bias {
                T_MIN
            } else if k >= bias + T_MAX {
                T_MAX
            } else {
                k - bias
            };
            if digit < threshold {
                break;
            }
            weight = weight.checked_mul(BASE - threshold)?;
            k += BASE;
        }
        let length = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, length, old_i == 0);
        n = n.checked_add(i / length)?;
        i %= length;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output)
}

fn digit_value(byte: u8) -> Option<u32> {
    match byte {
        b'a'..=b'z' => Some(u32::from(byte - b'a')),
        b'A'..=b'Z' => Some(u32::from(byte - b'A')),
        b'0'..=b'9' => Some(u32::from(byte - b'0') + 26),
        _ => None,
    }
}

fn adapt(delta: u32, length: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / length;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(encoded: &str) -> Option<String> {
        decode(encoded).map(|chars| chars.into_iter().collect())
    }

    #[test]
    fn the_rfc_samples_decode() {
        // RFC 3492, section 7.1: (A) Arabic, (B) Chinese, (L) mixed, (M) with a hyphen.
        assert_eq!(
            decoded("egbpdaj6bu4bxfgehfvwxn").as_deref(),
            Some("\u{644}\u{64a}\u{647}\u{645}\u{627}\u{628}\u{62a}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64a}\u{61f}")
        );
        assert_eq!(
            decoded("ihqwcrb4cv8a8dqg056pqjye").as_deref(),
            Some("他们为什么不说中文")
        );
        assert_eq!(
            decoded("3B-ww4c5e180e575a65lsy2b").as_deref(),
            Some("3年B組金八先生")
        );
        assert_eq!(
            decoded("-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n").as_deref(),
            Some("安室奈美恵-with-SUPER-MONKEYS")
        );
        assert_eq!(decoded("bcher-kva").as_deref(), Some("bücher"));
    }

    #[test]
    fn what_is_not_punycode_does_not_decode() {
        // A basic part outside ASCII, a digit that is not one, a number that ends
        // before its last digit, and one past every code point.
        for encoded in ["b\u{fc}cher-kva", "bcher-kv!", "bcher-k9", "99999999999"] {
            assert_eq!(decoded(encoded), None, "{encoded:?}");
        }
        // Decoding alone does not make a name: these decode, to ASCII or to a control
        // character, and the URL reader refuses them for that.
        assert_eq!(decoded("abc-").as_deref(), Some("abc"));
        assert_eq!(decoded("a").as_deref(), Some("\u{80}"));
    }
}

//! The pages' scripts as the Worker serves them: their comment lines, blank lines and
//! indentation are dropped at compile time. Every byte of a script is in the bundle's
//! upload, and the comments are for whoever reads the file here, not for the browser.
//!
//! A line is a comment when it starts (after its indentation) with `//`. The scripts have
//! no block comments and no template literals, so no string spans a line and nothing
//! else changes.

/// A script's text without its comment lines, blank lines and indentation, built in a
/// constant: `script!(include_bytes!("assets/app.js"))`.
macro_rules! script {
    ($source:expr) => {{
        const SOURCE: &[u8] = $source;
        const LENGTH: usize = $crate::web::assets::stripped_length(SOURCE);
        const STRIPPED: [u8; LENGTH] = $crate::web::assets::strip::<LENGTH>(SOURCE);
        // Whole lines and ASCII indentation removed: still UTF-8.
        match core::str::from_utf8(&STRIPPED) {
            Ok(text) => text,
            Err(_) => panic!("a script is not UTF-8"),
        }
    }};
}
pub(crate) use script;

/// The kept part of the line starting at `start`: `(from, to)`, `to` past its newline
/// (or the end), `from == to` for a line dropped whole.
const fn kept(source: &[u8], start: usize) -> (usize, usize) {
    let mut from = start;
    while from < source.len() && matches!(source[from], b' ' | b'\t') {
        from += 1;
    }
    let mut end = from;
    while end < source.len() && source[end] != b'\n' {
        end += 1;
    }
    let to = if end < source.len() { end + 1 } else { end };
    let blank = from == end || (end == from + 1 && source[from] == b'\r');
    let comment = from + 1 < end && source[from] == b'/' && source[from + 1] == b'/';
    if blank || comment {
        (to, to)
    } else {
        (from, to)
    }
}

/// The length of the stripped script.
pub const fn stripped_length(source: &[u8]) -> usize {
    let (mut start, mut length) = (0, 0);
    while start < source.len() {
        let (from, to) = kept(source, start);
        length += to - from;
        start = to;
    }
    length
}

/// The stripped script, `LENGTH` bytes ([`stripped_length`]).
pub const fn strip<const LENGTH: usize>(source: &[u8]) -> [u8; LENGTH] {
    let mut out = [0; LENGTH];
    let (mut start, mut at) = (0, 0);
    while start < source.len() {
        let (mut from, to) = kept(source, start);
        while from < to {
            out[at] = source[from];
            at += 1;
            from += 1;
        }
        start = to;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn comment_lines_blank_lines_and_indentation_go_and_the_code_stays() {
        const TEXT: &[u8] = b"// The page's script.\n\"use strict\";\n\n(function () {\n  // Why.\n  const url = \"https://example.org/a\"; // kept: not a comment line\n\tsay(\"x\");\n})();";
        assert_eq!(
            script!(TEXT),
            "\"use strict\";\n(function () {\nconst url = \"https://example.org/a\"; // kept: not a comment line\nsay(\"x\");\n})();"
        );
        assert_eq!(script!(b""), "");
        assert_eq!(script!(b"  // only a comment"), "");
    }

    #[test]
    fn the_served_scripts_keep_their_code() {
        for script in [
            crate::web::history::APP_JS,
            crate::web::import_page::IMPORT_JS,
        ] {
            assert!(script.contains("use strict"));
            assert!(!script.lines().any(|line| line.starts_with("//")));
            assert!(!script.lines().any(|line| line.starts_with(' ')));
        }
    }
}

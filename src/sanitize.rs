//! Text from documents is untrusted: before anything reaches a terminal it goes through
//! [`for_terminal`], which removes ESC sequences (CSI, OSC, DCS, ...), C0 and C1 control
//! characters, and bidirectional overrides that could disguise text. Newlines and tabs survive
//! only where the caller allows them.

/// Removes escape sequences and control characters; `keep_newlines` keeps `\n` (tabs become a
/// space either way).
pub fn for_terminal(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS / APC / PM / SOS introduce sequences too.
            '\u{9b}' => skip_until_final(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9f}' | '\u{9e}' | '\u{98}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            // Bidi embeddings, overrides and isolates.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_until_final(chars),
        Some(']') | Some('P') | Some('_') | Some('^') | Some('X') => skip_string(chars),
        // Two-character sequences (ESC c, ESC 7, ...), possibly with intermediates.
        Some(c) if (' '..='/').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameters and intermediates, then one final byte in `@`..=`~`.
fn skip_until_final(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/...: up to BEL, ST (ESC \) or the C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::for_terminal;

    #[test]
    fn strips_escape_sequences_and_controls() {
        let cases = [
            ("plain text", "plain text"),
            ("red \u{1b}[31malert\u{1b}[0m!", "red alert!"),
            ("title \u{1b}]0;pwned\u{7}x", "title x"),
            (
                "osc8 \u{1b}]8;;http://e\u{1b}\\link\u{1b}]8;;\u{1b}\\",
                "osc8 link",
            ),
            ("bell\u{7} back\u{8}space", "bell backspace"),
            ("c1 \u{9b}2Jcsi", "c1 csi"),
            ("bidi \u{202e}evil", "bidi evil"),
            ("tab\there", "tab here"),
            ("Ångström ŒUVRE GRÖSSE", "Ångström ŒUVRE GRÖSSE"),
        ];
        for (input, want) in cases {
            assert_eq!(for_terminal(input, false), want, "{input:?}");
        }
    }

    #[test]
    fn newlines_kept_only_when_asked() {
        assert_eq!(for_terminal("a\nb\r\n", true), "a\nb \n");
        assert_eq!(for_terminal("a\nb", false), "a b");
    }
}

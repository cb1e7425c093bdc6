//! Fuzzes the rule-file loader: the input is one rule file (TOML) in a pack next to a fixed,
//! valid `pack.toml`, compiled exactly as `tenderlint rules check` does. Any panic is a bug; a bad
//! file must come back as diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenderlint::ruleset::{PackSource, SourceFile};

const PACK: &str = "name = \"fuzz\"\nversion = \"1.0.0\"\nlanguages = [\"en\"]\n\
jurisdiction = \"EU\"\ndescription = \"fuzz pack\"\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pack = PackSource {
        dir: "rulesets/fuzz".to_string(),
        pack: SourceFile {
            path: "rulesets/fuzz/pack.toml".to_string(),
            text: PACK.to_string(),
        },
        files: vec![SourceFile {
            path: "rulesets/fuzz/10-fuzz.toml".to_string(),
            text: text.to_string(),
        }],
    };
    let _ = tenderlint::ruleset::validate_packs(&[pack]);
});

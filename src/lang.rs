//! Languages tenderlint knows rules for, with their ISO 639-1 codes.
//!
//! Detection of a text's language lives here too, so that extraction, segmentation and the rule
//! engine agree on one answer. It uses whatlang's trigram model restricted to the supported
//! languages and refuses to guess on too little text.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Fr,
    De,
    Nl,
    Da,
    Sv,
    Cs,
}

impl Lang {
    pub const ALL: [Lang; 7] = [
        Lang::En,
        Lang::Fr,
        Lang::De,
        Lang::Nl,
        Lang::Da,
        Lang::Sv,
        Lang::Cs,
    ];

    /// The position of this language in [`Lang::ALL`], for tables kept per language.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Nl => "nl",
            Lang::Da => "da",
            Lang::Sv => "sv",
            Lang::Cs => "cs",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }

    fn to_whatlang(self) -> whatlang::Lang {
        match self {
            Lang::En => whatlang::Lang::Eng,
            Lang::Fr => whatlang::Lang::Fra,
            Lang::De => whatlang::Lang::Deu,
            Lang::Nl => whatlang::Lang::Nld,
            Lang::Da => whatlang::Lang::Dan,
            Lang::Sv => whatlang::Lang::Swe,
            Lang::Cs => whatlang::Lang::Ces,
        }
    }

    fn from_whatlang(l: whatlang::Lang) -> Option<Lang> {
        Lang::ALL.into_iter().find(|x| x.to_whatlang() == l)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Detects the language of `text` among the supported ones; `None` below 20 letters or when the
/// model is unsure.
pub fn detect(text: &str) -> Option<Lang> {
    if text.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return None;
    }
    let allow: Vec<whatlang::Lang> = Lang::ALL.iter().map(|l| l.to_whatlang()).collect();
    let detector = whatlang::Detector::with_allowlist(allow);
    let info = detector.detect(text)?;
    Lang::from_whatlang(info.lang())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_position_in_all() {
        for (i, l) in Lang::ALL.into_iter().enumerate() {
            assert_eq!(l.index(), i);
        }
    }

    #[test]
    fn detects_the_four_first_languages() {
        let cases = [
            (
                "The Contractor shall deliver the source code of all software developed under this contract.",
                Lang::En,
            ),
            (
                "Le titulaire livre le code source de tous les logiciels développés dans le cadre du marché.",
                Lang::Fr,
            ),
            (
                "Der Auftragnehmer übergibt den Quellcode aller im Rahmen des Vertrages entwickelten Software.",
                Lang::De,
            ),
            (
                "Opdrachtnemer levert de broncode van alle software die in het kader van de opdracht is ontwikkeld.",
                Lang::Nl,
            ),
        ];
        for (text, lang) in cases {
            assert_eq!(detect(text), Some(lang), "{text}");
        }
    }

    #[test]
    fn refuses_to_guess_on_short_text() {
        assert_eq!(detect("7.3"), None);
        assert_eq!(detect("Art. 12"), None);
    }

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), Some(l));
        }
    }
}

//! Languages tenderlint knows rules for, with their ISO 639-1 codes.
//!
//! Detection of a text's language lives here too, so that extraction, segmentation and the rule
//! engine agree on one answer. Function words ("the", "le", "der", "het", ...) decide when they
//! are clear; otherwise whatlang's trigram model, restricted to the supported languages, does,
//! and refuses to guess on too little text.

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

/// Languages (bit i: `Lang::ALL[i]`) a lower-case function word ("the", "le", "der", "het",
/// ...) points to; 0 for any other word. Some words belong to two languages ("de", "en").
pub fn function_word(word: &str) -> u8 {
    const EN: u8 = 1;
    const FR: u8 = 1 << 1;
    const DE: u8 = 1 << 2;
    const NL: u8 = 1 << 3;
    const DA: u8 = 1 << 4;
    const SV: u8 = 1 << 5;
    const CS: u8 = 1 << 6;
    match word {
        "the" | "of" | "and" | "shall" | "which" | "with" | "this" | "by" => EN,
        "le" | "la" | "les" | "des" | "du" | "est" | "dans" | "une" | "pour" | "sont" | "et" => FR,
        "der" | "die" | "das" | "und" | "ist" | "den" | "mit" | "von" | "für" | "wird" => DE,
        "het" | "een" | "van" | "wordt" | "zijn" | "voor" | "niet" | "worden" => NL,
        "og" | "af" | "til" | "det" | "ikke" | "skal" => DA,
        "och" | "att" | "av" | "för" | "som" | "på" | "är" | "ska" => SV,
        "je" | "na" | "se" | "že" | "pro" | "nebo" | "jsou" => CS,
        "de" => FR | NL,
        "en" => NL | DA,
        _ => 0,
    }
}

/// Function words counted per language.
#[derive(Debug, Default, Clone, Copy)]
pub struct FunctionWords {
    score: [u32; 7],
}

impl FunctionWords {
    /// Counts a lower-case word.
    pub fn add(&mut self, word: &str) {
        let mut bits = function_word(word);
        while bits != 0 {
            if let Some(s) = self.score.get_mut(bits.trailing_zeros() as usize) {
                *s += 1;
            }
            bits &= bits - 1;
        }
    }

    /// The language with at least `min` function words and twice as many as any other; `None`
    /// when no language is that clear.
    pub fn verdict(&self, min: u32) -> Option<Lang> {
        let score = &self.score;
        let mut best = 0;
        for i in 1..score.len() {
            if score[i] > score[best] {
                best = i;
            }
        }
        let second = score
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != best)
            .map(|(_, s)| *s)
            .max()
            .unwrap_or(0);
        (score[best] >= min.max(1) && score[best] >= 2 * second.max(1)).then(|| Lang::ALL[best])
    }
}

/// The language of a longer text (a document's first pages): by its function words when they
/// are clear, else by [`detect`]. Counting the function words of 20 kB costs a small fraction
/// of the trigram model over the same text.
pub fn detect_long(text: &str) -> Option<Lang> {
    let mut words = FunctionWords::default();
    let mut lower = String::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        if w.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
            words.add(w);
        } else {
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            words.add(&lower);
        }
    }
    words.verdict(3).or_else(|| detect(text))
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
    fn long_texts_go_by_function_words_and_fall_back_to_the_model() {
        let en = "Cahier des charges. The Contractor shall deliver THE source code of the software \
                  and the documentation with each release, by the end of this contract.";
        assert_eq!(
            detect_long(en),
            Some(Lang::En),
            "capitals count; a French title does not win"
        );
        let sv = "Leverantören ska leverera källkoden och dokumentationen för att myndigheten \
                  ska kunna använda programvaran som den vill. Det är viktigt.";
        assert_eq!(detect_long(sv), Some(Lang::Sv));
        // As many French as Dutch function words: the trigram model decides.
        let mixed = "Le titulaire livre le code source. Het systeem van de opdrachtnemer.";
        assert_eq!(detect_long(mixed), detect(mixed));
        let none = "Microsoft SharePoint Oracle Database SAP Salesforce Workday ServiceNow";
        assert_eq!(detect_long(none), detect(none));
        let mut words = FunctionWords::default();
        for w in ["de", "de", "en"] {
            words.add(w);
        }
        assert_eq!(
            words.verdict(3),
            None,
            "\"de\" and \"en\" count for two languages each"
        );
        words.add("het");
        assert_eq!(words.verdict(3), Some(Lang::Nl));
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

//! What kind of document this is — contract, specification, full call for tenders, price
//! schedule, cover letter, form — so that `require` and `conditional` rules (`applies_to`) never
//! report a "missing clause" in a price list or a letter.
//!
//! Design decision: a cheap, explainable count, not a model. One pass over the normalised text
//! (capped at the first [`SAMPLE_BYTES`]) counts words, numbers and form blanks, and at each
//! word start asks an anchored Aho-Corasick search for the longest obligation verb or cue word
//! of any kind in any supported language beginning there; fixed thresholds decide.
//!
//! Cues are looked for at word starts only, and only where the first two bytes can begin one.
//! An unanchored search over every byte (as this module first did) also looked inside words,
//! where a cue never counts: on a 101-page DOCX the count went from 20.2 M to 12.9 M
//! instructions, most of the rest being the byte pass itself.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use crate::rules::DocKind;

/// Only this much normalised text is looked at; a document's kind shows early.
pub const SAMPLE_BYTES: usize = 300_000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cue {
    Obligation,
    Contract,
    Spec,
    Tender,
    Price,
    Letter,
    Form,
}

const CUES: &[(Cue, &[&str])] = &[
    (
        Cue::Obligation,
        &[
            "shall",
            "must",
            "is required to",
            "undertakes to",
            "agrees to",
            "doit",
            "doivent",
            "s'engage",
            "est tenu",
            "sont tenus",
            "devra",
            "devront",
            "muss",
            "müssen",
            "verpflichtet",
            "hat sicherzustellen",
            "ist zu",
            "moet",
            "moeten",
            "dient",
            "verplicht",
            "zal",
            "skal",
            "ska",
            "måste",
            "musí",
            "je povinen",
        ],
    ),
    (
        Cue::Contract,
        &[
            "contract",
            "agreement",
            "contractor",
            "supplier",
            "clause",
            "termination",
            "liability",
            "intellectual property",
            "warranty",
            "indemnif",
            "marché",
            "titulaire",
            "contrat",
            "résiliation",
            "propriété intellectuelle",
            "ccap",
            "cahier des clauses",
            "pénalités",
            "vertrag",
            "auftragnehmer",
            "auftraggeber",
            "kündigung",
            "haftung",
            "nutzungsrechte",
            "gewährleistung",
            "evb-it",
            "overeenkomst",
            "opdrachtnemer",
            "opdrachtgever",
            "ontbinding",
            "aansprakelijkheid",
            "intellectuele eigendom",
            "kontrakt",
            "aftale",
            "leverandør",
            "avtal",
            "leverantör",
            "smlouva",
            "dodavatel",
        ],
    ),
    (
        Cue::Spec,
        &[
            "requirement",
            "requirements",
            "specification",
            "functional",
            "non-functional",
            "technical specifications",
            "use case",
            "exigence",
            "exigences",
            "cahier des charges",
            "cahier spécial des charges",
            "cctp",
            "spécifications",
            "fonctionnalités",
            "anforderung",
            "anforderungen",
            "leistungsbeschreibung",
            "pflichtenheft",
            "lastenheft",
            "funktional",
            "eis",
            "eisen",
            "programma van eisen",
            "bestek",
            "functionaliteit",
            "kravspecifikation",
            "kravställning",
            "požadavky",
        ],
    ),
    (
        Cue::Tender,
        &[
            "call for tenders",
            "invitation to tender",
            "tender",
            "tenderer",
            "tenderers",
            "award criteria",
            "selection criteria",
            "submission of tenders",
            "deadline for",
            "procurement procedure",
            "lot",
            "appel d'offres",
            "candidat",
            "candidats",
            "soumissionnaire",
            "critères d'attribution",
            "règlement de la consultation",
            "date limite",
            "ausschreibung",
            "bieter",
            "zuschlagskriterien",
            "vergabe",
            "vergabeunterlagen",
            "angebotsfrist",
            "aanbesteding",
            "inschrijver",
            "inschrijvers",
            "gunningscriteria",
            "selectiecriteria",
            "udbud",
            "tilbudsgiver",
            "upphandling",
            "anbud",
            "zadávací",
            "uchazeč",
        ],
    ),
    (
        Cue::Price,
        &[
            "unit price",
            "total price",
            "price",
            "prices",
            "vat",
            "excl",
            "incl",
            "eur",
            "€",
            "bordereau des prix",
            "bpu",
            "dpgf",
            "prix unitaire",
            "montant",
            "ht",
            "ttc",
            "preisblatt",
            "einzelpreis",
            "gesamtpreis",
            "mwst",
            "netto",
            "brutto",
            "prijsinschrijving",
            "prijzenblad",
            "eenheidsprijs",
            "btw",
            "totaal",
            "pris",
            "moms",
            "cena",
            "dph",
        ],
    ),
    (
        Cue::Letter,
        &[
            "dear",
            "yours sincerely",
            "yours faithfully",
            "kind regards",
            "best regards",
            "madame, monsieur",
            "madame, messieurs",
            "veuillez agréer",
            "salutations",
            "sehr geehrte",
            "mit freundlichen grüssen",
            "geachte",
            "met vriendelijke groet",
            "hoogachtend",
            "kære",
            "med venlig hilsen",
            "med vänliga hälsningar",
            "vážení",
            "s pozdravem",
        ],
    ),
    (
        Cue::Form,
        &[
            "signature",
            "signed",
            "date:",
            "name:",
            "place:",
            "tick",
            "please complete",
            "formulaire",
            "nom:",
            "signature du",
            "unterschrift",
            "ort, datum",
            "bitte ausfüllen",
            "handtekening",
            "naam:",
            "datum:",
            "in te vullen",
            "underskrift",
            "namnteckning",
            "podpis",
        ],
    ),
];

/// The cues in one automaton, their kinds by pattern id, and the first two bytes any cue can
/// start with (bit `a * 256 + b`), so that most words are ruled out before a search.
struct Cues {
    ac: AhoCorasick,
    kinds: Vec<Cue>,
    starts: Box<[u64; 1024]>,
}

impl Cues {
    fn may_start(&self, bytes: &[u8], at: usize) -> bool {
        let a = usize::from(bytes.get(at).copied().unwrap_or(0));
        let b = usize::from(bytes.get(at + 1).copied().unwrap_or(0));
        let bit = a << 8 | b;
        self.starts[bit >> 6] & (1 << (bit & 63)) != 0
    }
}

static CUE_SET: LazyLock<Cues> = LazyLock::new(|| {
    let mut pats = Vec::new();
    let mut kinds = Vec::new();
    let mut starts = Box::new([0u64; 1024]);
    for (cue, words) in CUES {
        for w in *words {
            let p = crate::normalise::normalise_str(w);
            if let [a, b, ..] = p.as_bytes() {
                let bit = usize::from(*a) << 8 | usize::from(*b);
                starts[bit >> 6] |= 1 << (bit & 63);
            }
            pats.push(p);
            kinds.push(*cue);
        }
    }
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Anchored)
        .build(&pats)
        .expect("cue automaton builds");
    Cues { ac, kinds, starts }
});

/// Letters, digits and every byte of a multi-byte character.
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c >= 0x80;
        b += 1;
    }
    t
};

fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[usize::from(b)]
}

/// Runs of at least four underscores or four dots ("Name: ________"): form blanks.
fn blank_runs(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut at = 0;
    while let Some(found) = bytes
        .get(at..)
        .and_then(|rest| memchr::memchr2(b'_', b'.', rest))
    {
        let start = at + found;
        let b = bytes[start];
        let len = bytes[start..].iter().take_while(|&&x| x == b).count();
        if len >= 4 {
            n += 1;
        }
        at = start + len;
    }
    n
}

/// The counts the decision is made from (exposed for tests and `--explain`-style debugging).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub words: usize,
    pub numbers: usize,
    pub blanks: usize,
    pub obligation: usize,
    pub contract: usize,
    pub spec: usize,
    pub tender: usize,
    pub price: usize,
    pub letter: usize,
    pub form: usize,
}

/// Counts cues in normalised block texts.
pub fn count<'a>(texts: impl IntoIterator<Item = &'a str>) -> Counts {
    let cues = &*CUE_SET;
    let mut c = Counts::default();
    let mut budget = SAMPLE_BYTES;
    for text in texts {
        if budget == 0 {
            break;
        }
        let text = crate::segment::prefix(text, budget);
        budget -= text.len();
        let bytes = text.as_bytes();
        // Words, numbers and cues in one byte pass. A cue is the longest one starting at a word
        // start; none starts inside the previous one (`next`).
        let mut in_word = false;
        let mut next = 0usize;
        for (i, &b) in bytes.iter().enumerate() {
            let w = is_word_byte(b);
            if w && !in_word {
                c.words += 1;
                if b.is_ascii_digit() {
                    c.numbers += 1;
                }
                if i >= next
                    && cues.may_start(bytes, i)
                    && let Some(m) = cues
                        .ac
                        .find(Input::new(bytes).range(i..).anchored(Anchored::Yes))
                {
                    next = m.end();
                    count_cue(&mut c, cues.kinds[m.pattern().as_usize()], bytes, m.end());
                }
            }
            in_word = w;
        }
        c.blanks += blank_runs(bytes) + text.matches('☐').count() + text.matches("[ ]").count();
    }
    c
}

/// Counts a cue of kind `cue` that ends at byte `end` of `bytes`, unless a word goes on past it
/// ("mustard" is no "must"); a contract cue may go on ("indemnif" in "indemnification").
fn count_cue(c: &mut Counts, cue: Cue, bytes: &[u8], end: usize) {
    let pat_last = bytes.get(end.wrapping_sub(1)).copied().unwrap_or(b' ');
    let ends_word = bytes.get(end).is_none_or(|&b| !is_word_byte(b)) || !is_word_byte(pat_last);
    if !ends_word && cue != Cue::Contract {
        return;
    }
    match cue {
        Cue::Obligation => c.obligation += 1,
        Cue::Contract => c.contract += 1,
        Cue::Spec => c.spec += 1,
        Cue::Tender => c.tender += 1,
        Cue::Price => c.price += 1,
        Cue::Letter => c.letter += 1,
        Cue::Form => c.form += 1,
    }
}

/// Decides the kind from counts.
pub fn decide(c: &Counts) -> DocKind {
    if c.words == 0 {
        return DocKind::Other;
    }
    let per_k = |x: usize| x as f64 * 1000.0 / c.words as f64;
    let obligation = per_k(c.obligation);
    if c.letter >= 2 && c.words < 1200 && obligation < 15.0 {
        return DocKind::CoverLetter;
    }
    let numeric = c.numbers as f64 / c.words as f64;
    if (numeric > 0.25 || (c.price >= 3 && numeric > 0.12)) && obligation < 6.0 {
        return DocKind::PriceSchedule;
    }
    if c.form + c.blanks >= 4 && obligation < 6.0 && c.words < 3000 {
        return DocKind::Form;
    }
    if c.obligation == 0 && c.contract + c.spec + c.tender < 2 {
        return DocKind::Other;
    }
    let contract = c.contract as f64 + c.obligation as f64 * 0.5;
    let spec = c.spec as f64 * 2.0;
    let tender = c.tender as f64 * 1.5;
    if tender >= contract && tender >= spec {
        DocKind::Tender
    } else if spec > contract {
        DocKind::Specification
    } else {
        DocKind::Contract
    }
}

/// Classifies normalised block texts.
pub fn classify<'a>(texts: impl IntoIterator<Item = &'a str>) -> DocKind {
    decide(&count(texts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::normalise_str;

    fn kind(text: &str) -> DocKind {
        let blocks: Vec<String> = text.split("\n\n").map(normalise_str).collect();
        classify(blocks.iter().map(String::as_str))
    }

    #[test]
    fn cues_count_at_word_starts_only_and_the_longest_one_wins() {
        let c = count(["mustard must; subcontract contractors, indemnification. shall"]);
        // "must" once (not in "mustard"); "contractors" once as "contractor" (a contract cue may
        // go on), not again as "contract"; "indemnif" goes on too; nothing inside
        // "subcontract".
        assert_eq!((c.obligation, c.contract, c.words), (2, 2, 6));
        let c = count(["is required to", "this required to", "ist zu", "meist zu"]);
        assert_eq!(c.obligation, 2, "a phrase counts from a word start only");
        let form = normalise_str("Name: ________ Date: .... Place: ___ ...__.. ☐ yes [ ] no");
        let c = count([form.as_str()]);
        assert_eq!((c.blanks, c.form), (4, 3));
        // The sample ends inside a block: a cue cut off there does not count.
        let long = format!("{} shall", "x ".repeat(SAMPLE_BYTES / 2 - 2));
        assert_eq!(count([long.as_str()]).obligation, 0);
    }

    #[test]
    fn classifies_document_kinds() {
        let cases: &[(&str, DocKind)] = &[
            (
                "1. Definitions\n\nThe Contractor shall deliver the software. The Contractor shall grant \
                 the Authority a licence. This Agreement may be terminated. Liability is limited. \
                 The Supplier shall maintain the system.",
                DocKind::Contract,
            ),
            (
                "Le titulaire doit livrer le code source. Le présent marché est résiliable. \
                 La propriété intellectuelle des résultats revient au pouvoir adjudicateur.",
                DocKind::Contract,
            ),
            (
                "Der Auftragnehmer muss den Quellcode übergeben. Der Vertrag regelt die Nutzungsrechte \
                 und die Haftung.",
                DocKind::Contract,
            ),
            (
                "De opdrachtnemer moet de broncode leveren. De overeenkomst regelt de aansprakelijkheid.",
                DocKind::Contract,
            ),
            (
                "Item | Unit price | Quantity | Total\n\nLicence 1 | 1200.00 EUR | 10 | 12000.00\n\n\
                 Support 2 | 300 EUR | 12 | 3600\n\nTotal price excl. VAT | 15600.00\n\nVAT 21 % | 3276\n\n\
                 Total 18876 EUR",
                DocKind::PriceSchedule,
            ),
            (
                "Dear Sir or Madam,\n\nPlease find enclosed our tender for the supply of software. \
                 We look forward to hearing from you.\n\nYours faithfully,\n\nJane Smith",
                DocKind::CoverLetter,
            ),
            (
                "Madame, Monsieur,\n\nNous vous prions de trouver ci-joint notre offre.\n\n\
                 Veuillez agréer nos salutations distinguées.",
                DocKind::CoverLetter,
            ),
            (
                "Name: ________\n\nDate: ________\n\nSignature: ________\n\nPlace: ________",
                DocKind::Form,
            ),
            (
                "Invitation to tender. Tenderers must submit tenders by the deadline for receipt. \
                 Award criteria: price 40 %, quality 60 %. Selection criteria apply to each tenderer. \
                 The call for tenders has two lots.",
                DocKind::Tender,
            ),
            (
                "Functional requirements. Requirement F1: the system must export ODF. Requirement F2: \
                 the system must support SSO. Non-functional requirements are listed in the specification.",
                DocKind::Specification,
            ),
            ("Hello world", DocKind::Other),
            ("", DocKind::Other),
        ];
        for (text, want) in cases {
            assert_eq!(kind(text), *want, "{text}");
        }
    }
}

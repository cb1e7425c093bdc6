//! The rule engine end to end: loading packs, every rule kind and scope, negation, `unless`,
//! `near`, `conditional`, `require` with `applies_to`, `substitute` spans, matching through
//! normalisation, config overrides, fingerprints, broken rule files and the shipped packs.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use tenderlint::check::{analyse, check_text, document_kind};
use tenderlint::config::Config;
use tenderlint::document::{Block, BlockKind, Document, Format};
use tenderlint::finding::{Finding, Severity};
use tenderlint::lang::Lang;
use tenderlint::rules::DocKind;
use tenderlint::ruleset::{self, LazyRuleSet, RuleSet};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn test_packs(config: &Config) -> RuleSet {
    let (packs, diags) = ruleset::read_dirs(&[root().join("fixtures/rulesets-test")]);
    assert!(diags.is_empty(), "{diags:?}");
    match ruleset::from_packs(&packs, config) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

static RULES: LazyLock<RuleSet> = LazyLock::new(|| test_packs(&Config::default()));

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule_id.as_str()).collect()
}

fn fired(rule: &str, text: &str, lang: Lang) -> bool {
    check_text(text, lang, &RULES)
        .iter()
        .any(|f| f.rule_id == rule)
}

/// A rule pack `name` in `dir` for language `lang`, with one rule file `file` holding `rules`.
fn pack_on_disk(dir: &Path, name: &str, lang: &str, file: &str, rules: &str) -> PathBuf {
    let pack = dir.join(name);
    std::fs::create_dir(&pack).expect("pack dir");
    std::fs::write(
        pack.join("pack.toml"),
        format!("name = \"{name}\"\nversion = \"0\"\nlanguages = [\"{lang}\"]\n"),
    )
    .expect("pack.toml");
    std::fs::write(pack.join(file), rules).expect("rule file");
    pack
}

fn doc(blocks: &[&str], lang: Lang) -> Document {
    let mut d = Document::new("t.txt", Format::Text);
    d.language = Some(lang);
    d.blocks = blocks
        .iter()
        .map(|t| Block::new(BlockKind::Paragraph, *t))
        .collect();
    d
}

#[test]
fn test_pack_is_valid_and_its_examples_pass() {
    let (packs, _) = ruleset::read_dirs(&[root().join("fixtures/rulesets-test")]);
    let diags = ruleset::validate_packs(&packs);
    let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert!(shown.is_empty(), "{}", shown.join("\n"));
    let report = ruleset::run_tests(&RULES);
    let shown: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(report.is_ok(), "{}", shown.join("\n"));
    assert!(report.passed > 80, "{}", report.passed);
}

#[test]
fn flag_kind_and_negation_in_four_languages() {
    let cases: &[(&str, Lang, bool)] = &[
        (
            "The Contractor shall retain all intellectual property rights.",
            Lang::En,
            true,
        ),
        (
            "The Contractor shall not retain any rights in the Deliverables.",
            Lang::En,
            false,
        ),
        (
            "The Contractor will never keep the copyright.",
            Lang::En,
            false,
        ),
        (
            "The Contractor doesn't keep the copyright.",
            Lang::En,
            false,
        ),
        ("Copyright shall remain with the Supplier.", Lang::En, true),
        ("Le titulaire conserve les droits d'auteur.", Lang::Fr, true),
        (
            "Le titulaire ne conserve aucun droit sur les livrables.",
            Lang::Fr,
            false,
        ),
        (
            "Le titulaire n’en conserve pas les droits.",
            Lang::Fr,
            false,
        ),
        ("Der Auftragnehmer behält alle Rechte.", Lang::De, true),
        ("Der Auftragnehmer behält keine Rechte.", Lang::De, false),
        ("De opdrachtnemer behoudt alle rechten.", Lang::Nl, true),
        ("De opdrachtnemer behoudt geen rechten.", Lang::Nl, false),
    ];
    for (text, lang, want) in cases {
        assert_eq!(fired("test.keeps-ip", text, *lang), *want, "{text}");
    }
}

#[test]
fn unless_cancels_in_the_same_scope_in_four_languages() {
    let cases: &[(&str, Lang, bool)] = &[
        ("Deliver in Microsoft Word format.", Lang::En, true),
        (
            "Deliver in Microsoft Word or equivalent format.",
            Lang::En,
            false,
        ),
        ("Deliver in Microsoft Word. Or equivalent.", Lang::En, true),
        ("Livraison au format Microsoft Word.", Lang::Fr, true),
        (
            "Livraison au format Microsoft Word ou équivalent.",
            Lang::Fr,
            false,
        ),
        ("Lieferung im Format Microsoft Word.", Lang::De, true),
        (
            "Lieferung im Format Microsoft Word oder gleichwertig.",
            Lang::De,
            false,
        ),
        ("Levering in Microsoft Word.", Lang::Nl, true),
        (
            "Levering in Microsoft Word of gelijkwaardig.",
            Lang::Nl,
            false,
        ),
    ];
    for (text, lang, want) in cases {
        assert_eq!(fired("test.brand", text, *lang), *want, "{text}");
    }
}

#[test]
fn brand_findings_fill_placeholders() {
    let f = check_text("Documents in MS Word only.", Lang::En, &RULES);
    let f = f
        .iter()
        .find(|f| f.rule_id == "test.brand")
        .expect("brand finding");
    assert_eq!(f.excerpt.as_deref(), Some("MS Word"));
    assert_eq!(
        f.message,
        "\"Microsoft Word\" named without \"or equivalent\""
    );
    assert_eq!(f.title, "A product is named without \"or equivalent\"");
    assert_eq!(
        f.suggestions[0].text,
        "MS Word or equivalent (for example LibreOffice Writer, OnlyOffice)"
    );
    let f = check_text("Livraison au format Microsoft Word.", Lang::Fr, &RULES);
    let f = f
        .iter()
        .find(|f| f.rule_id == "test.brand")
        .expect("brand finding");
    assert_eq!(
        f.message,
        "\"Microsoft Word\" named without \"ou équivalent\""
    );
}

#[test]
fn scopes_decide_where_unless_looks() {
    // (text, blocks split by "\n\n"; which scope rules fire)
    let cases: &[(&str, &[&str])] = &[
        (
            "Files use a proprietary format. Open formats are welcome.",
            &["test.scope-sentence"],
        ),
        (
            "Files use a proprietary format.\n\nOpen formats are welcome.",
            &["test.scope-sentence", "test.scope-block"],
        ),
        (
            "7.1 Files use a proprietary format.\n\n(a) Open formats are welcome.",
            &["test.scope-sentence", "test.scope-block"],
        ),
        (
            "7.1 Files use a proprietary format.\n\n7.2 Open formats are welcome.",
            &[
                "test.scope-sentence",
                "test.scope-block",
                "test.scope-clause",
            ],
        ),
        ("Files use a proprietary format, open formats too.", &[]),
    ];
    for (text, want) in cases {
        let mut got: Vec<String> = check_text(text, Lang::En, &RULES)
            .into_iter()
            .map(|f| f.rule_id)
            .filter(|id| id.starts_with("test.scope-"))
            .collect();
        got.sort();
        let mut want = want.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn near_needs_both_within_the_distance() {
    let cases: &[(&str, bool)] = &[
        ("The source code shall be deposited in escrow.", true),
        ("Escrow of the source code suffices.", true),
        (
            "The source code is delivered to the Authority with every release, and the Contractor uses an escrow agent.",
            false,
        ),
        ("The source code is delivered.\n\nEscrow is used.", false),
        ("Escrow applies to documentation.", false),
    ];
    for (text, want) in cases {
        assert_eq!(fired("test.escrow-near", text, Lang::En), *want, "{text}");
    }
}

#[test]
fn conditional_looks_for_then_in_the_clause() {
    let cases: &[(&str, bool)] = &[
        (
            "7.1 The Contractor shall deliver. The source code shall be delivered at acceptance.",
            true,
        ),
        (
            "7.1 The source code shall be delivered.\n\n(a) The Authority gets a licence to modify it.",
            false,
        ),
        (
            "7.1 The source code shall be delivered.\n\n7.2 The Authority gets a licence to modify it.",
            true,
        ),
        ("The Contractor shall deliver manuals.", false),
        // A negated `then` is no `then`: "no licence" does not answer "source code".
        (
            "7.1 The source code shall be delivered.\n\n(a) The Authority does not get a licence to modify it.",
            true,
        ),
        (
            "7.1 The source code shall be delivered.\n\n(a) No licence is granted for it.",
            true,
        ),
        (
            "7.1 The source code shall be delivered.\n\n(a) The Authority may not sell it, but gets a licence to modify it.",
            false,
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            fired("test.code-needs-licence", text, Lang::En),
            *want,
            "{text}"
        );
    }
}

#[test]
fn require_applies_to_contract_terms_only() {
    let contract = "1. The Contractor shall deliver the software.\n\n2. The Contractor shall maintain it. \
                    This contract may be terminated by either party. Liability is limited.";
    let with_exit = "1. The Contractor shall deliver the software.\n\n2. The Contractor shall deliver an \
                     exit plan. This contract may be terminated by either party.";
    let price = "Item | Unit price | Quantity | Total\n\nLicence | 1200.00 EUR | 10 | 12000.00\n\n\
                 Support | 300 EUR | 12 | 3600\n\nTotal price excl. VAT | 15600.00 EUR";
    let letter = "Dear Sir or Madam,\n\nPlease find enclosed our tender for the software.\n\nYours faithfully,\n\nJ. Smith";
    let cases: &[(&str, DocKind, bool)] = &[
        (contract, DocKind::Contract, true),
        (with_exit, DocKind::Contract, false),
        (price, DocKind::PriceSchedule, false),
        (letter, DocKind::CoverLetter, false),
    ];
    for (text, kind, want) in cases {
        let d = tenderlint::extract::read_bytes(
            Path::new("t.txt"),
            text.as_bytes(),
            &Default::default(),
        )
        .expect("text reads");
        assert_eq!(document_kind(&d), *kind, "{text}");
        let a = analyse(d, &RULES);
        let got: Vec<&Finding> = a
            .findings
            .iter()
            .filter(|f| f.rule_id == "test.require-exit")
            .collect();
        assert_eq!(!got.is_empty(), *want, "{text}");
        if let Some(f) = got.first() {
            assert!(f.is_document_level());
            assert_eq!(f.location.block, None);
            assert!(f.suggestions[0].text.contains("the Contracting Authority"));
        }
    }
}

#[test]
fn topics_mark_clauses() {
    let d = doc(
        &[
            "Scope of the services.",
            "The Contractor shall deliver an exit plan.",
            "Reversibility is guaranteed.",
        ],
        Lang::En,
    );
    let a = analyse(d, &RULES);
    let hits: Vec<(String, usize)> = a
        .topics
        .iter()
        .map(|t| (t.topic.clone(), t.block))
        .collect();
    assert_eq!(hits, vec![("exit".to_string(), 1), ("exit".to_string(), 2)]);
}

#[test]
fn substitute_span_is_exact_in_the_original_text() {
    let text = "Le « contrat » : the Authority receives an EXCLUSIVE\u{AD} licence to use it.";
    let d = doc(&[text], Lang::En);
    let a = analyse(d, &RULES);
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "test.exclusive")
        .expect("substitute finding");
    let s = f.suggestions[0].replaces.expect("span");
    assert_eq!(&text[s.start..s.end], "an EXCLUSIVE\u{AD} licence");
    assert_eq!(f.excerpt.as_deref(), Some("an EXCLUSIVE\u{AD} licence"));
    assert_eq!(f.suggestions[0].text, "a non-exclusive licence");
    assert_eq!(f.location.start, Some(s.start));
    let fixed = ruleset::testing::apply_fixes(text, std::slice::from_ref(f));
    assert_eq!(
        fixed,
        "Le « contrat » : the Authority receives a non-exclusive licence to use it."
    );
}

#[test]
fn matches_through_case_diacritics_quotes_and_hyphenation() {
    let cases: &[(&str, Lang, &str)] = &[
        ("SOFTWARE-AS-A-SERVICE", Lang::En, "SOFTWARE-AS-A-SERVICE"),
        (
            "Soft\u{AD}ware as a Ser\u{AD}vice",
            Lang::En,
            "Soft\u{AD}ware as a Ser\u{AD}vice",
        ),
        (
            "Soft-\nware as a service is used",
            Lang::En,
            "Soft-\nware as a service",
        ),
        (
            "delivered \u{201C}as is\u{201D}",
            Lang::En,
            "\u{201C}as is\u{201D}",
        ),
        ("Die GRÖSSE der Datei", Lang::De, "GRÖSSE der Datei"),
        ("Die Größe der Datei", Lang::De, "Größe der Datei"),
        ("Les ŒUVRES DE COMMANDE", Lang::Fr, "ŒUVRES DE COMMANDE"),
        (
            "selon l\u{2019}ÉTAT DE L\u{2019}ART",
            Lang::Fr,
            "ÉTAT DE L\u{2019}ART",
        ),
        (
            "selon l'E\u{301}tat de l'art",
            Lang::Fr,
            "E\u{301}tat de l'art",
        ),
    ];
    for (text, lang, excerpt) in cases {
        let a = analyse(doc(&[text], *lang), &RULES);
        let got: Vec<Option<&str>> = a
            .findings
            .iter()
            .filter(|f| f.rule_id == "test.words")
            .map(|f| f.excerpt.as_deref())
            .collect();
        assert_eq!(got, vec![Some(*excerpt)], "{text:?}");
    }
}

#[test]
fn blocks_in_another_language_use_that_language() {
    let mut d = doc(
        &[
            "The Contractor shall deliver the software and documentation within three months of signature.",
            "Le titulaire conserve les droits de propriété intellectuelle sur les logiciels développés pour le marché.",
        ],
        Lang::En,
    );
    d.language = Some(Lang::En);
    let a = analyse(d, &RULES);
    let f = a
        .findings
        .iter()
        .find(|f| f.rule_id == "test.keeps-ip")
        .expect("french finding");
    assert_eq!(f.language, Some(Lang::Fr));
    assert_eq!(f.location.block, Some(1));
    assert_eq!(f.title, "Le titulaire conserve les droits");
}

#[test]
fn config_disables_overrides_allows_and_fills_values() {
    let text = r#"
[rules]
disable = ["test.years"]

[rules.severity]
"test.keeps-ip" = "info"

[allow]
products = ["Microsoft Word"]

[values]
authority = "the City of Ghent"
licence = "MIT"
"#;
    let config = Config::parse(text, Path::new("tenderlint.toml")).expect("config parses");
    let rules = test_packs(&config);
    assert!(rules.rule("test.years").is_none());
    let f = check_text(
        "Exclusivity for 10 years. The Contractor retains the copyright. Use MS Word or SharePoint.",
        Lang::En,
        &rules,
    );
    assert_eq!(ids(&f), vec!["test.keeps-ip", "test.brand"]);
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(
        f[0].suggestions[0].text,
        "All rights in the deliverables pass to the City of Ghent; they are published under MIT."
    );
    assert_eq!(
        &*f[0].explanation,
        "Work paid for by the City of Ghent should belong to it."
    );
    assert_eq!(f[1].excerpt.as_deref(), Some("SharePoint"));
}

#[test]
fn findings_are_in_document_order_and_fingerprints_survive_edits_elsewhere() {
    let blocks = [
        "Use SharePoint for the intranet.",
        "The Contractor retains the copyright. Files use MS Word.",
    ];
    let a = analyse(doc(&blocks, Lang::En), &RULES);
    let order: Vec<(Option<usize>, &str)> = a
        .findings
        .iter()
        .map(|f| (f.location.block, f.rule_id.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            (Some(0), "test.brand"),
            (Some(1), "test.keeps-ip"),
            (Some(1), "test.brand"),
        ]
    );
    let edited = [
        "A new first paragraph about something else entirely.",
        "Use SharePoint for the intranet.",
        "The Contractor retains the copyright. Files use MS Word.",
    ];
    let b = analyse(doc(&edited, Lang::En), &RULES);
    let fa: Vec<&str> = a.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let fb: Vec<&str> = b.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(fa, fb);
    // Identical sentences still get distinct fingerprints.
    let twice = analyse(
        doc(&["Use SharePoint.", "Use SharePoint."], Lang::En),
        &RULES,
    );
    let fps: Vec<&str> = twice
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0], fps[1]);
}

fn broken(name: &str) -> String {
    let dir = root().join("fixtures/rulesets-broken");
    let core = root().join("fixtures/rulesets-test/core");
    let mut files = Vec::new();
    let path = dir.join(name);
    files.push(ruleset::SourceFile {
        path: format!("fixtures/rulesets-broken/{name}"),
        text: std::fs::read_to_string(&path)
            .expect("fixture exists")
            .into(),
    });
    let pack = ruleset::PackSource {
        dir: "fixtures/rulesets-broken".into(),
        pack: ruleset::SourceFile {
            path: "fixtures/rulesets-broken/pack.toml".into(),
            text: "name = \"broken\"\nversion = \"0\"\nlanguages = [\"en\"]\n".into(),
        },
        files,
    };
    // The test core pack provides definitions the broken sections may refer to.
    let (mut packs, _) = ruleset::read_dirs(&[core]);
    packs.push(pack);
    ruleset::validate_packs(&packs)
        .iter()
        .filter(|d| d.path.starts_with("fixtures/rulesets-broken"))
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn broken_rule_files_point_at_file_line_col() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures/rulesets-broken"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 7);
    for name in names {
        let out = broken(&name);
        assert!(!out.is_empty(), "{name} produced no diagnostics");
        insta::assert_snapshot!(format!("broken_{}", name.trim_end_matches(".toml")), out);
    }
}

#[test]
fn builtin_loads_whatever_is_shipped() {
    let set = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    // Works with an empty rulesets/ (README only) and with content.
    let _ = set.rules().len();
    let _ = check_text("The Contractor retains all rights.", Lang::En, &set);
}

#[test]
fn shipped_rulesets_check_and_test_clean() {
    let diags = ruleset::validate(&[]);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let set = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let report = ruleset::run_tests(&set);
    let shown: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(
        report.is_ok(),
        "{} failures:\n{}",
        shown.len(),
        shown.join("\n")
    );
}

/// The embedded packs compiled one language at a time, as `scan` and `review` compile them:
/// each set has matching for that language only, and every rule example of that language passes.
#[test]
fn lazily_compiled_languages_pass_their_rule_tests() {
    let lazy = LazyRuleSet::load(&[], &Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(lazy.is_lazy());
    assert!(
        lazy.base().rules().iter().all(|r| r.languages().is_empty()),
        "the definitions-only base compiles no language"
    );
    let full = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    for lang in [Lang::En, Lang::Fr, Lang::De, Lang::Nl] {
        let set = lazy.for_langs(&[lang]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            set.rules().len(),
            full.rules().len(),
            "{lang}: every rule is there"
        );
        assert!(
            set.rules()
                .iter()
                .all(|r| r.languages().iter().all(|&l| l == lang)),
            "{lang}: only its own sections are compiled"
        );
        let report = ruleset::run_tests(&set);
        let shown: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
        assert!(report.is_ok(), "{lang}: {}", shown.join("\n"));
        assert!(
            report.passed > 100,
            "{lang}: only {} examples ran",
            report.passed
        );
        // Asking again gives the same compiled set, not a second compilation.
        let again = lazy.for_langs(&[lang]).unwrap_or_else(|e| panic!("{e}"));
        assert!(std::sync::Arc::ptr_eq(&set, &again));
    }
}

/// With packs from disk everything is compiled and validated up front, and that full set serves
/// every document.
#[test]
fn packs_from_disk_are_compiled_up_front() {
    let dirs = [root().join("fixtures/rulesets-test")];
    let eager = LazyRuleSet::load(&dirs, &Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!eager.is_lazy());
    let full = RuleSet::load(&dirs, &Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(eager.base().rules().len(), full.rules().len());
    assert!(
        eager
            .base()
            .rules()
            .iter()
            .any(|r| !r.languages().is_empty())
    );
    let d = doc(
        &[
            "Le titulaire conserve les droits de propriété intellectuelle sur les logiciels développés pour le marché.",
        ],
        Lang::Fr,
    );
    let a = analyse(d.clone(), &full);
    let b = tenderlint::check::analyse_lazy(d, &eager).unwrap_or_else(|e| panic!("{e}"));
    assert!(!a.findings.is_empty());
    assert_eq!(a.findings, b.findings);
    // A pack on disk with a bad pattern in a French section stops the load (before any
    // document, whatever language the documents turn out to be in).
    let tmp = tempfile::tempdir().expect("temp dir");
    let pack = pack_on_disk(
        tmp.path(),
        "broken",
        "fr",
        "10-bad.toml",
        concat!(
            "[[rule]]\nid = \"test.broken\"\nkind = \"flag\"\ncategory = \"vendor-lock-in\"\n",
            "severity = \"warning\"\ntitle = \"t\"\nexplanation = \"e\"\n\n",
            "[[rule]]\nid = \"test.broken\"\nlang = \"fr\"\npatterns = [\"(unclosed\"]\n",
            "tests.flag = [\"a\", \"b\", \"c\"]\ntests.clean = [\"x\", \"y\"]\n",
        ),
    );
    let err = LazyRuleSet::load(&[dirs[0].clone(), pack], &Config::default())
        .expect_err("a bad pattern stops the load")
        .to_string();
    assert!(err.contains("10-bad.toml:12:13: bad pattern"), "{err}");
}

/// Per-language compilation and checking rules on all cores change nothing: every fixture
/// tender, in every format, and a document mixing languages get the same findings and topics
/// as with everything compiled, on one thread.
#[test]
fn lazy_and_full_rule_sets_find_the_same() {
    let lazy = LazyRuleSet::load(&[], &Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let full = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut docs: Vec<Document> = Vec::new();
    for dir in ["fixtures/eval", "fixtures/tenders", "fixtures/example"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .expect("fixture dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| ["docx", "odt", "pdf", "md", "txt"].iter().any(|e| x == *e))
            })
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(d) = tenderlint::extract::read_path(&p, &tenderlint::Limits::default()) {
                docs.push(d);
            }
        }
    }
    assert!(
        docs.len() > 50,
        "only {} fixture documents read",
        docs.len()
    );
    docs.push(doc(
        &[
            "The Contractor shall deliver the software and documentation within three months of signature.",
            "Le titulaire conserve les droits de propriété intellectuelle sur les logiciels développés pour le marché.",
            "Der Auftragnehmer behält alle Rechte an der Software; die Dokumente sind im Format Microsoft Word zu liefern.",
        ],
        Lang::En,
    ));
    let mut findings = 0;
    for d in docs {
        let name = d.path.display().to_string();
        let a = analyse(d.clone(), &full);
        // One thread (as in a batch that fills every worker) and all cores agree too.
        let one = tenderlint::par::with_within_document(false, || analyse(d.clone(), &full));
        let b = tenderlint::check::analyse_lazy(d, &lazy).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(a.findings, b.findings, "{name}");
        assert_eq!(a.topics, b.topics, "{name}");
        assert_eq!(a.findings, one.findings, "{name}: on one thread");
        assert_eq!(a.topics, one.topics, "{name}: on one thread");
        findings += a.findings.len();
    }
    assert!(findings > 300, "only {findings} findings compared");
}

#[test]
fn json_schema_accepts_the_test_pack_and_rejects_unknown_keys() {
    let schema = ruleset::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut checked = 0;
    for entry in walk(&root().join("fixtures/rulesets-test")) {
        if entry.file_name().is_some_and(|n| n == "pack.toml") {
            continue;
        }
        let text = std::fs::read_to_string(&entry).expect("readable");
        let value: toml::Value = toml::from_str(&text).expect("toml");
        let json = serde_json::to_value(value).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", entry.display());
        checked += 1;
    }
    assert!(checked >= 8);
    let bad: toml::Value =
        toml::from_str("[[rule]]\nid = \"x\"\nsevrity = \"info\"\n").expect("toml");
    assert!(!validator.is_valid(&serde_json::to_value(bad).expect("json")));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn cli_rules_check_and_test_report_problems_and_exit_codes() {
    use assert_cmd::Command;
    let out = Command::cargo_bin("tenderlint")
        .expect("binary")
        .args(["rules", "check"])
        .arg(root().join("fixtures/rulesets-test"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("broken");
    std::fs::create_dir_all(&pack).expect("mkdir");
    std::fs::write(pack.join("pack.toml"), "name = \"b\"\nversion = \"0\"\n").expect("write");
    std::fs::copy(
        root().join("fixtures/rulesets-broken/unknown-key.toml"),
        pack.join("10-x.toml"),
    )
    .expect("copy");
    let out = Command::cargo_bin("tenderlint")
        .expect("binary")
        .args(["rules", "check"])
        .arg(&pack)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("10-x.toml:5:1: unknown key \"sevrity\" (did you mean \"severity\"?)"),
        "{stdout}"
    );
    let out = Command::cargo_bin("tenderlint")
        .expect("binary")
        .args(["rules", "test"])
        .arg(root().join("fixtures/rulesets-test"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(" passed, 0 failed"));
    let out = Command::cargo_bin("tenderlint")
        .expect("binary")
        .args(["rules", "schema"])
        .output()
        .expect("runs");
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(schema["title"], "tenderlint rule file");
}

/// The analysis takes a long document in chunks of blocks, each checked right after its
/// prefilter: a document of many chunks gets, block by block, what each of its blocks gets on
/// its own (the sentences below are about one sentence each), in document order, none lost or
/// repeated at a chunk's edge.
#[test]
fn a_long_document_gets_what_its_blocks_get_on_their_own_in_order() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let texts = [
        "All intellectual property rights in the deliverables shall remain with the Contractor.",
        "Invoices are payable within thirty days of receipt of a correct invoice.",
        "Documents shall be delivered in Microsoft Word format.",
        "The source code shall be deposited with an escrow agent.",
        "Meetings between the parties take place at least once a month.",
        "The Contractor grants the Authority a non-transferable licence to use the software.",
        "The intranet shall be based on Microsoft SharePoint.",
    ];
    // 7 texts over 300 blocks: every chunk starts at a different text.
    let blocks: Vec<&str> = (0..300).map(|i| texts[i % texts.len()]).collect();
    let long = analyse(doc(&blocks, Lang::En), &rules);
    let key = |f: &Finding| {
        (
            f.rule_id.clone(),
            f.excerpt.clone(),
            f.location.start,
            f.location.end,
        )
    };
    // Each text analysed alone, once.
    let alone: Vec<_> = texts
        .iter()
        .map(|t| analyse(doc(&[t], Lang::En), &rules))
        .collect();
    let expected: Vec<_> = (0..blocks.len())
        .flat_map(|i| {
            alone[i % texts.len()]
                .findings
                .iter()
                .filter(|f| f.location.block.is_some())
                .map(move |f| (i, key(f)))
        })
        .collect();
    let got: Vec<_> = long
        .findings
        .iter()
        .filter_map(|f| f.location.block.map(|b| (b, key(f))))
        .collect();
    assert!(expected.len() > 200, "only {} findings", expected.len());
    assert_eq!(got, expected);
    // Topics: each block's own, once per topic and block.
    let mut topics: Vec<(usize, String)> = long
        .topics
        .iter()
        .map(|t| (t.block, t.topic.clone()))
        .collect();
    let n = topics.len();
    topics.sort();
    topics.dedup();
    assert_eq!(topics.len(), n, "a topic listed twice for one block");
    let mut expected_topics: Vec<(usize, String)> = (0..blocks.len())
        .flat_map(|i| {
            alone[i % texts.len()]
                .topics
                .iter()
                .map(move |t| (i, t.topic.clone()))
        })
        .collect();
    expected_topics.sort();
    assert!(!expected_topics.is_empty());
    assert_eq!(topics, expected_topics);
}

/// A `require` rule with patterns of its own is satisfied by a match in any block of a long
/// document (the blocks are checked in chunks, each on its own), and only then.
#[test]
fn a_require_rule_is_met_by_a_match_in_any_chunk() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let pack = pack_on_disk(
        tmp.path(),
        "sla",
        "en",
        "10-sla.toml",
        concat!(
            "[[rule]]\nid = \"test.require-sla\"\nkind = \"require\"\n",
            "applies_to = [\"contract\", \"tender\"]\ncategory = \"vendor-lock-in\"\n",
            "severity = \"warning\"\ntitle = \"No service levels\"\n",
            "explanation = \"Without service levels the buyer cannot hold the supplier to account.\"\n\n",
            "[[rule]]\nid = \"test.require-sla\"\nlang = \"en\"\n",
            "patterns = [\"service level agreement\"]\n",
            "tests.flag = [\"The Contractor shall deliver the software.\", ",
            "\"Payment is due within 30 days.\", \"The contract runs for four years.\"]\n",
            "tests.clean = [\"A service level agreement is annexed.\", ",
            "\"The service level agreement sets response times.\"]\n",
        ),
    );
    let rules = RuleSet::load(&[pack], &Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let prose = [
        "The Contractor shall deliver the software and maintain it for four years.",
        "This contract may be terminated by either party with three months' notice.",
        "Liability under this contract is limited to the contract value.",
    ];
    let with_sla_at = |at: Option<usize>| -> Vec<String> {
        (0..300)
            .map(|i| {
                if Some(i) == at {
                    "A service level agreement with response times is annexed.".to_string()
                } else {
                    prose[i % prose.len()].to_string()
                }
            })
            .collect()
    };
    for (at, want) in [
        (None, true),
        (Some(3), false),
        (Some(250), false),
        (Some(299), false),
    ] {
        let blocks = with_sla_at(at);
        let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
        let d = doc(&blocks, Lang::En);
        assert_eq!(document_kind(&d), DocKind::Contract);
        for on_all_cores in [true, false] {
            let a =
                tenderlint::par::with_within_document(on_all_cores, || analyse(d.clone(), &rules));
            let got: Vec<&Finding> = a
                .findings
                .iter()
                .filter(|f| f.rule_id == "test.require-sla")
                .collect();
            assert_eq!(
                got.len(),
                usize::from(want),
                "{at:?}, all cores {on_all_cores}"
            );
            assert!(got.iter().all(|f| f.is_document_level()));
        }
    }
}

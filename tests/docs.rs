//! `docs/rules.md`, the rule reference that SARIF `helpUri`s point at, is generated from the
//! shipped rules: this test fails when it is out of date. Regenerate with
//! `TENDERLINT_BLESS=1 cargo test --test tests docs`.

use std::fmt::Write;

use tenderlint::finding::{Category, Position};
use tenderlint::ruleset::RuleSet;

fn render(set: &RuleSet) -> String {
    let mut out = String::from(
        "# Rule reference\n\nGenerated from the shipped rule packs by `tests/docs.rs` \
         (`TENDERLINT_BLESS=1 cargo test --test tests docs`); do not edit by hand. \
         `tenderlint rules explain ID --lang L` shows the same in each language.\n",
    );
    for cat in Category::ALL {
        let _ = write!(out, "\n## {} (`{}`)\n", cat.label(), cat.id());
        for rule in set.rules().iter().filter(|r| r.header().category == cat) {
            let h = rule.header();
            if h.id.starts_with("topic.") {
                continue;
            }
            let langs: Vec<&str> = rule.languages().iter().map(|l| l.code()).collect();
            let _ = write!(
                out,
                "\n<a id=\"{id}\"></a>\n### {id}\n\n**{title}** — {kind}, {sev}, languages: {langs}{legal}\n\n{expl}\n",
                id = h.id,
                title = h.title(None),
                kind = rule.kind(),
                sev = h.severity.id(),
                langs = langs.join(", "),
                legal = if h.needs_legal_review {
                    ", needs legal review"
                } else {
                    ""
                },
                expl = h.explanation(None).trim(),
            );
            if !h.references.is_empty() {
                out.push_str("\nReferences:\n");
                for r in h.references.iter() {
                    match &r.url {
                        Some(u) => {
                            let _ = writeln!(out, "- [{}]({u})", r.title);
                        }
                        None => {
                            let _ = writeln!(out, "- {}", r.title);
                        }
                    }
                }
            }
            let sugg = h.suggestions(None);
            if !sugg.is_empty() {
                out.push_str("\nSuggested text:\n");
                for s in sugg {
                    let pos = match s.position {
                        Position::Preferred => "preferred",
                        Position::Fallback => "fallback",
                        Position::Alternative => "alternative",
                    };
                    let _ = writeln!(out, "- *{pos}*: {}", s.text.trim());
                }
            }
        }
    }
    out
}

#[test]
fn docs_rules_md_is_current() {
    let set = RuleSet::builtin().expect("shipped rules load");
    let want = render(&set);
    let path = std::path::Path::new("docs/rules.md");
    if std::env::var_os("TENDERLINT_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date: run TENDERLINT_BLESS=1 cargo test --test tests docs"
    );
    // Every rule a SARIF helpUri can name has its anchor.
    for r in set.rules() {
        if !r.id().starts_with("topic.") {
            assert!(
                have.contains(&format!("<a id=\"{}\"></a>", r.id())),
                "{}",
                r.id()
            );
        }
    }
}

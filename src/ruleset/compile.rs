//! From parsed rule files to a [`RuleSet`]: merging language sections into definitions,
//! building lexicons and the brand catalogue, compiling every pattern once, and reporting every
//! problem as a [`Diagnostic`] at `file:line:col`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::Spanned;

use super::raw::{RawFile, RawPack, RawRule, S};
use super::sources::{PackSource, SourceFile};
use super::{Brand, Diagnostic, Level, PackInfo, RuleSet, Values};
use crate::config::Config;
use crate::finding::{Category, Position, Reference, Severity};
use crate::lang::Lang;
use crate::normalise::normalise_str;
use crate::rules::conditional::CondLang;
use crate::rules::flag::{FlagLang, Regexes};
use crate::rules::pattern::{Context, LazyPatterns, Pattern, PhraseSet};
use crate::rules::substitute::SubLang;
use crate::rules::{
    ConditionalRule, DocKind, FlagRule, Negation, PLACEHOLDERS, RequireRule, Rule, RuleHeader,
    RuleTests, Scope, SubstituteRule, SuggestionTemplate, TOPICS, Texts, TopicRule,
};

/// Compiling context for one language section: where errors go and what `@names` mean.
pub struct Cx<'a> {
    pub file: &'a SourceFile,
    pub lang: Lang,
    pub lexicons: &'a Arc<HashMap<String, Arc<PhraseSet>>>,
    pub brands: &'a Arc<PhraseSet>,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Compile every regex on its own, and the `unless` and `then` lists at once, to point at
    /// the one that is wrong (false for a filtered build of packs already validated: see
    /// [`build_for`]; those compile them on first use).
    pub validate: bool,
}

impl Cx<'_> {
    pub fn error(&mut self, span: Range<usize>, msg: impl Into<String>) {
        self.diags.push(Diagnostic::at(
            &self.file.path,
            &self.file.text,
            span.start,
            Level::Error,
            msg,
        ));
    }

    pub fn warn(&mut self, span: Range<usize>, msg: impl Into<String>) {
        self.diags.push(Diagnostic::at(
            &self.file.path,
            &self.file.text,
            span.start,
            Level::Warning,
            msg,
        ));
    }

    pub fn pattern(&mut self, s: &S) -> Option<Pattern> {
        let ctx = Context {
            lang: self.lang,
            lexicons: self.lexicons,
            brands: self.brands,
        };
        match Pattern::compile(s.get_ref(), &ctx) {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(s.span(), format!("bad pattern \"{}\": {e}", s.get_ref()));
                None
            }
        }
    }

    pub fn patterns(&mut self, list: Option<&Spanned<Vec<S>>>) -> Vec<Pattern> {
        list.map_or(Vec::new(), |l| {
            l.get_ref().iter().filter_map(|s| self.pattern(s)).collect()
        })
    }

    /// A list needed only where its rule has matched (`unless`, `then`): compiled at once when
    /// validating (errors at their lines), on first use otherwise (see [`LazyPatterns`]).
    pub fn lazy_patterns(&mut self, list: Option<&Spanned<Vec<S>>>) -> LazyPatterns {
        if self.validate {
            return LazyPatterns::compiled(self.patterns(list));
        }
        let sources = list.map_or(Vec::new(), |l| {
            l.get_ref().iter().map(|s| s.get_ref().clone()).collect()
        });
        LazyPatterns::deferred(
            sources,
            self.lang,
            Arc::clone(self.lexicons),
            Arc::clone(self.brands),
        )
    }

    /// The `regex` list. When validating, each one is compiled here, so that a bad one is
    /// reported at its line (and left out); [`Regexes`] compiles them for matching, and their
    /// set, the first time a block passes their gate.
    pub fn regexes(&mut self, list: Option<&Spanned<Vec<S>>>) -> Regexes {
        let list = list.map_or(&[][..], |l| l.get_ref().as_slice());
        if !self.validate {
            return Regexes::new(list.iter().map(|s| s.get_ref().clone()).collect());
        }
        let mut out = Vec::new();
        for s in list {
            match Regexes::compile_one(s.get_ref()) {
                Ok(_) => out.push(s.get_ref().clone()),
                Err(e) => {
                    let msg = e.to_string();
                    let last = msg
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("");
                    let last = last.trim().trim_start_matches("error: ");
                    self.error(s.span(), format!("bad regex \"{}\": {last}", s.get_ref()));
                }
            }
        }
        Regexes::new(out)
    }

    pub fn negation(&mut self, s: Option<&S>) -> Negation {
        match s.map(|s| (s.get_ref().as_str(), s.span())) {
            None | Some(("cancels", _)) => Negation::Cancels,
            Some(("ignore", _)) => Negation::Ignore,
            Some((other, span)) => {
                self.error(
                    span,
                    format!("unknown negation \"{other}\" (expected cancels or ignore)"),
                );
                Negation::Cancels
            }
        }
    }

    pub fn check_placeholders(&mut self, s: &S) {
        let bad: Vec<(usize, String)> = crate::rules::placeholders(s.get_ref())
            .into_iter()
            .filter(|(_, n)| !PLACEHOLDERS.contains(n))
            .map(|(at, n)| (at, n.to_string()))
            .collect();
        for (at, name) in bad {
            let off =
                placeholder_offset(&self.file.text, s.span(), &name).unwrap_or(s.span().start + at);
            self.diags.push(Diagnostic::at(
                &self.file.path,
                &self.file.text,
                off,
                Level::Error,
                format!(
                    "undefined placeholder {{{name}}} (known: {})",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
}

/// The exact offset of `{name}` inside the source span of a string.
fn placeholder_offset(text: &str, span: Range<usize>, name: &str) -> Option<usize> {
    let raw = text.get(span.clone())?;
    raw.find(&format!("{{{name}}}")).map(|i| span.start + i)
}

/// Edit distance, for "did you mean" hints.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Turns serde/toml messages into the manual's vocabulary: keys, not fields.
fn tidy_message(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    let backticked = |s: &str| -> Vec<String> {
        s.split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, x)| x.to_string())
            .collect()
    };
    if let Some(rest) = first.strip_prefix("unknown field ") {
        let names = backticked(rest);
        if let Some((key, expected)) = names.split_first() {
            let best = expected
                .iter()
                .map(|e| (levenshtein(key, e), e))
                .filter(|(d, _)| *d <= 2)
                .min();
            return match best {
                Some((_, e)) => format!("unknown key \"{key}\" (did you mean \"{e}\"?)"),
                None => format!("unknown key \"{key}\""),
            };
        }
    }
    if let Some(rest) = first.strip_prefix("missing field ")
        && let Some(key) = backticked(rest).first()
    {
        return format!("missing key \"{key}\"");
    }
    msg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn parse<T: DeserializeOwned>(file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let off = e.span().map_or(0, |s| s.start);
            diags.push(Diagnostic::at(
                &file.path,
                &file.text,
                off,
                Level::Error,
                tidy_message(e.message()),
            ));
            None
        }
    }
}

/// Lexicon entries by (language or all, name), with the file they come from.
type LexSources<'a> = BTreeMap<(Option<Lang>, String), Vec<(&'a SourceFile, &'a S)>>;

/// Rule files parsed without errors, by path, kept for the next build from the same packs: a
/// lazy rule set builds the definitions first and then each language's matching, and the
/// `core` files are in every one of those builds.
#[derive(Debug, Default)]
pub struct ParsedFiles {
    files: std::sync::Mutex<HashMap<String, Arc<RawFile>>>,
}

impl ParsedFiles {
    /// The file parsed before under the same path (the packs of one build never change).
    fn get(&self, file: &SourceFile) -> Option<Arc<RawFile>> {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.get(&file.path).cloned()
    }

    fn keep(&self, file: &SourceFile, raw: &Arc<RawFile>) {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.insert(file.path.clone(), Arc::clone(raw));
    }
}

struct Parsed<'p> {
    file: &'p SourceFile,
    langs: Vec<Lang>,
    raw: Arc<RawFile>,
    /// Line starts of the file: every rule, section and brand asks for its line and column.
    lines: super::LineIndex<'p>,
}

/// A language section of a rule: its file, the section, its language and the file's lines.
type Section<'p> = (&'p SourceFile, &'p RawRule, Lang, &'p super::LineIndex<'p>);

fn diag(file: &SourceFile, span: Range<usize>, level: Level, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::at(&file.path, &file.text, span.start, level, msg)
}

fn known_lang(s: &S, file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Lang> {
    let l = Lang::from_code(s.get_ref());
    if l.is_none() {
        diags.push(diag(
            file,
            s.span(),
            Level::Error,
            format!(
                "unknown language \"{}\" (expected {})",
                s.get_ref(),
                Lang::ALL.map(|l| l.code()).join(", ")
            ),
        ));
    }
    l
}

/// Builds a ruleset from packs; returns it (when nothing was fatal) and all diagnostics, sorted.
pub fn build(
    packs: &[PackSource],
    config: &Config,
    diags: Vec<Diagnostic>,
) -> (Option<RuleSet>, Vec<Diagnostic>) {
    build_for(packs, config, diags, None, None)
}

/// Like [`build`], compiling only the language sections (and lexicons) of `only` when it is
/// `Some`: the files of a pack whose languages are all outside `only` are not even parsed. Rule
/// definitions are always compiled, so every rule is there, with matching for `only`'s
/// languages. Checks that need every language section (a rule without any, a `require` without
/// patterns) are made only when `only` is `None`: a filtered build is for packs already
/// validated, such as the embedded ones.
pub fn build_for(
    packs: &[PackSource],
    config: &Config,
    mut diags: Vec<Diagnostic>,
    only: Option<&[Lang]>,
    parsed_before: Option<&ParsedFiles>,
) -> (Option<RuleSet>, Vec<Diagnostic>) {
    let wanted = |l: Lang| only.is_none_or(|o| o.contains(&l));
    let mut infos = Vec::new();
    let mut to_parse: Vec<(&SourceFile, Vec<Lang>)> = Vec::new();
    for p in packs {
        let Some(rp) = parse::<RawPack>(&p.pack, &mut diags) else {
            continue;
        };
        let langs: Vec<Lang> = rp
            .languages
            .iter()
            .filter_map(|l| known_lang(l, &p.pack, &mut diags))
            .collect();
        infos.push(PackInfo {
            name: rp.name.into_inner(),
            version: rp.version.into_inner(),
            languages: langs.iter().map(|l| l.code().to_string()).collect(),
            jurisdiction: rp.jurisdiction.map(Spanned::into_inner),
            description: rp.description.map(Spanned::into_inner),
            source: p.dir.clone(),
        });
        if !langs.is_empty() && !langs.iter().any(|&l| wanted(l)) {
            continue;
        }
        to_parse.extend(p.files.iter().map(|f| (f, langs.clone())));
    }
    // Files are parsed, and rules compiled, on all cores unless the budget is one thread
    // (`par`: every document in the language waits for them), in order.
    let mut parsed: Vec<Parsed<'_>> = Vec::new();
    let results: Vec<(Option<Arc<RawFile>>, Vec<Diagnostic>)> =
        crate::par::map_shared(&to_parse, |(f, _)| {
            if let Some(raw) = parsed_before.and_then(|p| p.get(f)) {
                return (Some(raw), Vec::new());
            }
            let mut d = Vec::new();
            let raw = parse::<RawFile>(f, &mut d).map(Arc::new);
            // Only a file that parsed has a tree; one with errors is parsed (and reported) again.
            if let (Some(p), Some(raw)) = (parsed_before, &raw) {
                p.keep(f, raw);
            }
            (raw, d)
        });
    for ((file, langs), (raw, d)) in to_parse.into_iter().zip(results) {
        diags.extend(d);
        if let Some(raw) = raw {
            let lines = super::LineIndex::new(&file.text);
            parsed.push(Parsed {
                file,
                langs,
                raw,
                lines,
            });
        }
    }

    // Brands.
    let mut brands: Vec<Brand> = Vec::new();
    let mut brand_set = PhraseSet::default();
    let mut brand_seen: HashMap<String, String> = HashMap::new();
    for pf in &parsed {
        for b in &pf.raw.brand {
            let idx = u32::try_from(brands.len()).unwrap_or(u32::MAX);
            for n in std::iter::once(&b.name).chain(b.aliases.iter()) {
                let key = normalise_str(n.get_ref());
                let here = pf.lines.place(&pf.file.path, n.span().start);
                if let Some(first) = brand_seen.get(&key) {
                    diags.push(diag(
                        pf.file,
                        n.span(),
                        Level::Warning,
                        format!(
                            "brand name \"{}\" is already in the catalogue (at {first}); this one is ignored",
                            n.get_ref()
                        ),
                    ));
                    continue;
                }
                brand_seen.insert(key, here);
                if let Err(e) = brand_set.add(n.get_ref(), Lang::En, Some(idx)) {
                    diags.push(diag(pf.file, n.span(), Level::Error, e.0));
                }
            }
            brands.push(Brand {
                name: b.name.get_ref().clone(),
                vendor: b.vendor.as_ref().map(|v| v.get_ref().clone()),
                kind: b.kind.as_ref().map(|v| v.get_ref().clone()),
                aliases: b.aliases.iter().map(|a| a.get_ref().clone()).collect(),
                alternatives: b.alternatives.iter().map(|a| a.get_ref().clone()).collect(),
            });
        }
    }
    let brand_set = Arc::new(brand_set);

    // Lexicons: a pack without languages contributes to every language.
    let mut lex_src: LexSources<'_> = BTreeMap::new();
    for pf in &parsed {
        for (name, entries) in &pf.raw.lexicon {
            let n = name.get_ref();
            if n == "brand"
                || n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                diags.push(diag(
                    pf.file,
                    name.span(),
                    Level::Error,
                    format!("bad lexicon name \"{n}\": use letters, digits, '_' or '-' (and not \"brand\")"),
                ));
                continue;
            }
            let targets: Vec<Option<Lang>> = if pf.langs.is_empty() {
                vec![None]
            } else {
                pf.langs.iter().copied().map(Some).collect()
            };
            for t in targets {
                lex_src
                    .entry((t, n.clone()))
                    .or_default()
                    .extend(entries.iter().map(|e| (pf.file, e)));
            }
        }
    }
    let mut lexicons: HashMap<Lang, Arc<HashMap<String, Arc<PhraseSet>>>> = HashMap::new();
    for lang in Lang::ALL.into_iter().filter(|&l| wanted(l)) {
        let mut sets: BTreeMap<String, PhraseSet> = BTreeMap::new();
        for ((l, name), entries) in &lex_src {
            if l.is_some() && *l != Some(lang) {
                continue;
            }
            let set = sets.entry(name.clone()).or_default();
            for (file, e) in entries {
                if let Err(err) = set.add(e.get_ref(), lang, None) {
                    diags.push(diag(file, e.span(), Level::Error, err.0));
                }
            }
        }
        lexicons.insert(
            lang,
            Arc::new(sets.into_iter().map(|(k, v)| (k, Arc::new(v))).collect()),
        );
    }
    let negation: HashMap<Lang, Arc<PhraseSet>> = lexicons
        .iter()
        .filter_map(|(l, m)| m.get("negation").map(|s| (*l, s.clone())))
        .collect();

    // Definitions and language sections.
    let mut defs: Vec<(&SourceFile, &RawRule)> = Vec::new();
    let mut def_at: HashMap<&str, String> = HashMap::new();
    let mut sections: HashMap<&str, Vec<Section<'_>>> = HashMap::new();
    let mut section_at: HashMap<(&str, Lang), String> = HashMap::new();
    for pf in &parsed {
        for r in &pf.raw.rule {
            let id = r.id.get_ref().as_str();
            let here = pf.lines.place(&pf.file.path, r.id.span().start);
            match &r.lang {
                None => {
                    if let Some(first) = def_at.get(id) {
                        diags.push(diag(
                            pf.file,
                            r.id.span(),
                            Level::Error,
                            format!("duplicate rule id \"{id}\" (first defined at {first})"),
                        ));
                        continue;
                    }
                    if id.is_empty()
                        || !id.chars().all(|c| {
                            c.is_ascii_lowercase()
                                || c.is_ascii_digit()
                                || matches!(c, '.' | '-' | '_')
                        })
                    {
                        diags.push(diag(
                            pf.file,
                            r.id.span(),
                            Level::Error,
                            format!("bad rule id \"{id}\": use lower-case letters, digits, '.', '-' and '_'"),
                        ));
                    }
                    def_at.insert(id, here);
                    defs.push((pf.file, r));
                }
                Some(ls) => {
                    let Some(lang) = known_lang(ls, pf.file, &mut diags) else {
                        continue;
                    };
                    if let Some(first) = section_at.get(&(id, lang)) {
                        diags.push(diag(
                            pf.file,
                            r.id.span(),
                            Level::Error,
                            format!(
                                "duplicate language section \"{id}\" ({lang}) (first at {first})"
                            ),
                        ));
                        continue;
                    }
                    section_at.insert((id, lang), here);
                    if wanted(lang) {
                        sections
                            .entry(id)
                            .or_default()
                            .push((pf.file, r, lang, &pf.lines));
                    }
                }
            }
        }
    }
    for (id, secs) in &sections {
        if !def_at.contains_key(id) {
            for (file, r, lang, _) in secs {
                diags.push(diag(
                    file,
                    r.id.span(),
                    Level::Error,
                    format!("language section ({lang}) for undefined rule id \"{id}\""),
                ));
            }
        }
    }

    let empty_lex = Arc::new(HashMap::new());
    let compiled: Vec<(Option<Rule>, Vec<Diagnostic>)> =
        crate::par::map_shared(&defs, |(file, def)| {
            let secs = sections
                .get(def.id.get_ref().as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let mut d = Vec::new();
            // Every definition kept in `defs` is the first of its id: its place is `def_at`'s.
            let origin = def_at
                .get(def.id.get_ref().as_str())
                .cloned()
                .unwrap_or_default();
            let rule = compile_rule(
                file,
                def,
                origin,
                secs,
                &lexicons,
                &empty_lex,
                &brand_set,
                &mut d,
                only.is_none(),
            );
            (rule, d)
        });
    let mut rules = Vec::new();
    for (rule, d) in compiled {
        diags.extend(d);
        rules.extend(rule);
    }

    // Config: disable, severities, values, allowed products.
    let known: HashSet<&str> = rules.iter().map(Rule::id).collect();
    for id in config.disable.iter().chain(config.severity.keys()) {
        if !known.contains(id.as_str()) {
            diags.push(config.diagnostic_for(
                id,
                Level::Warning,
                format!("unknown rule id \"{id}\""),
            ));
        }
    }
    rules.retain(|r| !config.disable.iter().any(|d| d == r.id()));
    for r in &mut rules {
        if let Some(s) = config.severity.get(r.id()) {
            r.header_mut().severity = *s;
        }
    }

    diags.sort();
    diags.dedup();
    let fatal = diags.iter().any(Diagnostic::is_error);
    let warnings: Vec<Diagnostic> = diags.iter().filter(|d| !d.is_error()).cloned().collect();
    let set = (!fatal).then(|| RuleSet {
        prefilter: crate::check::Prefilter::build(&rules),
        rules,
        packs: infos,
        brands,
        negation,
        values: Values {
            authority: config.authority.clone(),
            licence: config.licence.clone(),
        },
        allowed_products: config
            .allow_products
            .iter()
            .map(|p| normalise_str(p))
            .collect(),
        warnings,
    });
    (set, diags)
}

#[allow(clippy::too_many_arguments)]
fn parse_enum<T>(
    file: &SourceFile,
    s: Option<&S>,
    what: &str,
    expected: &str,
    parse: impl Fn(&str) -> Option<T>,
    default: Option<T>,
    id_span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    match s {
        None => {
            if default.is_none() {
                diags.push(diag(
                    file,
                    id_span,
                    Level::Error,
                    format!("missing key \"{what}\""),
                ));
            }
            default
        }
        Some(s) => {
            let v = parse(s.get_ref());
            if v.is_none() {
                diags.push(diag(
                    file,
                    s.span(),
                    Level::Error,
                    format!("unknown {what} \"{}\" (expected {expected})", s.get_ref()),
                ));
            }
            v
        }
    }
}

fn check_placeholders_in(file: &SourceFile, s: &S, diags: &mut Vec<Diagnostic>) {
    let empty = Arc::new(HashMap::new());
    let brands = Arc::new(PhraseSet::default());
    let mut cx = Cx {
        file,
        lang: Lang::En,
        lexicons: &empty,
        brands: &brands,
        diags,
        validate: true,
    };
    cx.check_placeholders(s);
}

fn suggestions(
    file: &SourceFile,
    list: &Spanned<Vec<super::raw::RawSuggestion>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<SuggestionTemplate> {
    let mut out = Vec::new();
    for s in list.get_ref() {
        check_placeholders_in(file, &s.text, diags);
        let position = match s
            .position
            .as_ref()
            .map(|p| (p.get_ref().as_str(), p.span()))
        {
            None | Some(("alternative", _)) => Position::Alternative,
            Some(("preferred", _)) => Position::Preferred,
            Some(("fallback", _)) => Position::Fallback,
            Some((other, span)) => {
                diags.push(diag(
                    file,
                    span,
                    Level::Error,
                    format!(
                        "unknown position \"{other}\" (expected preferred, fallback or alternative)"
                    ),
                ));
                Position::Alternative
            }
        };
        out.push(SuggestionTemplate {
            position,
            text: s.text.get_ref().clone(),
        });
    }
    out
}

const KIND_KEYS: &[(&str, &[&str])] = &[
    (
        "flag",
        &["patterns", "regex", "near", "unless", "negation", "tests"],
    ),
    ("require", &["patterns", "tests"]),
    (
        "conditional",
        &["if", "then", "unless", "negation", "tests"],
    ),
    ("substitute", &["replace", "unless", "tests"]),
    ("topic", &["patterns", "tests"]),
];

#[allow(clippy::too_many_arguments)]
fn compile_rule(
    file: &SourceFile,
    def: &RawRule,
    origin: String,
    secs: &[Section<'_>],
    lexicons: &HashMap<Lang, Arc<HashMap<String, Arc<PhraseSet>>>>,
    empty_lex: &Arc<HashMap<String, Arc<PhraseSet>>>,
    brands: &Arc<PhraseSet>,
    diags: &mut Vec<Diagnostic>,
    all_sections: bool,
) -> Option<Rule> {
    let id = def.id.get_ref().clone();
    let id_span = def.id.span();
    let before = diags.iter().filter(|d| d.is_error()).count();
    let kind = parse_enum(
        file,
        def.kind.as_ref(),
        "kind",
        "flag, require, conditional, substitute or topic",
        |s| KIND_KEYS.iter().find(|(k, _)| *k == s).map(|(k, _)| *k),
        None,
        id_span.clone(),
        diags,
    );
    let category = parse_enum(
        file,
        def.category.as_ref(),
        "category",
        "open-licensing, vendor-lock-in, copyright-ownership or reuse-rights",
        Category::from_id,
        None,
        id_span.clone(),
        diags,
    );
    let severity = parse_enum(
        file,
        def.severity.as_ref(),
        "severity",
        "info, warning or blocker",
        Severity::from_id,
        None,
        id_span.clone(),
        diags,
    );
    let default_scope = if kind == Some("require") {
        Scope::Document
    } else {
        Scope::Sentence
    };
    let scope = parse_enum(
        file,
        def.scope.as_ref(),
        "scope",
        "sentence, block, clause or document",
        Scope::from_id,
        Some(default_scope),
        id_span.clone(),
        diags,
    );
    for (key, span) in def.matching_keys() {
        diags.push(diag(
            file,
            span,
            Level::Error,
            format!("key \"{key}\" belongs in a language section (a [[rule]] with `lang`), not in the definition"),
        ));
    }
    let title = match &def.title {
        Some(t) => {
            check_placeholders_in(file, t, diags);
            t.get_ref().clone()
        }
        None => {
            diags.push(diag(
                file,
                id_span.clone(),
                Level::Error,
                format!("rule \"{id}\" has no title"),
            ));
            String::new()
        }
    };
    let explanation = match &def.explanation {
        Some(t) => {
            check_placeholders_in(file, t, diags);
            t.get_ref().clone()
        }
        None => {
            diags.push(diag(
                file,
                id_span.clone(),
                Level::Error,
                format!("rule \"{id}\" has no explanation"),
            ));
            String::new()
        }
    };
    if let Some(m) = &def.message {
        check_placeholders_in(file, m, diags);
    }
    let sugg = def
        .suggestions
        .as_ref()
        .map(|s| suggestions(file, s, diags))
        .unwrap_or_default();
    let references = def
        .references
        .as_ref()
        .map(|r| {
            r.get_ref()
                .iter()
                .map(|x| Reference {
                    title: x.title.get_ref().clone(),
                    url: x.url.as_ref().map(|u| u.get_ref().clone()),
                })
                .collect::<Vec<_>>()
                .into()
        })
        .unwrap_or_else(|| Vec::new().into());

    // Kind-specific definition keys.
    let topic = match (&def.topic, kind) {
        (Some(t), Some("topic")) => {
            if !TOPICS.contains(&t.get_ref().as_str()) {
                diags.push(diag(
                    file,
                    t.span(),
                    Level::Error,
                    format!(
                        "unknown topic \"{}\" (expected one of {})",
                        t.get_ref(),
                        TOPICS.join(", ")
                    ),
                ));
            }
            Some(t.get_ref().clone())
        }
        (None, Some("topic")) => {
            diags.push(diag(
                file,
                id_span.clone(),
                Level::Error,
                format!("rule \"{id}\" (kind topic) needs `topic`"),
            ));
            None
        }
        (Some(t), Some(k)) => {
            diags.push(diag(
                file,
                t.span(),
                Level::Error,
                format!("key \"topic\" is not used by kind \"{k}\""),
            ));
            None
        }
        _ => None,
    };
    let mut topics = Vec::new();
    if let Some(ts) = &def.topics {
        if kind.is_some_and(|k| k != "require") {
            diags.push(diag(
                file,
                ts.span(),
                Level::Error,
                format!(
                    "key \"topics\" is not used by kind \"{}\"",
                    kind.unwrap_or("")
                ),
            ));
        }
        for t in ts.get_ref() {
            if TOPICS.contains(&t.get_ref().as_str()) {
                topics.push(t.get_ref().clone());
            } else {
                diags.push(diag(
                    file,
                    t.span(),
                    Level::Error,
                    format!(
                        "unknown topic \"{}\" (expected one of {})",
                        t.get_ref(),
                        TOPICS.join(", ")
                    ),
                ));
            }
        }
    }
    let mut applies_to = Vec::new();
    match &def.applies_to {
        Some(list) => {
            if kind.is_some_and(|k| k != "require" && k != "conditional") {
                diags.push(diag(
                    file,
                    list.span(),
                    Level::Error,
                    format!(
                        "key \"applies_to\" is not used by kind \"{}\"",
                        kind.unwrap_or("")
                    ),
                ));
            }
            for a in list.get_ref() {
                match DocKind::from_applicable_id(a.get_ref()) {
                    Some(k) => applies_to.push(k),
                    None => diags.push(diag(
                        file,
                        a.span(),
                        Level::Error,
                        format!("unknown document kind \"{}\" in applies_to (expected contract, specification or tender)", a.get_ref()),
                    )),
                }
            }
        }
        None => applies_to.extend(DocKind::APPLICABLE),
    }

    // Language sections.
    let mut localised = BTreeMap::new();
    let mut tests = Vec::new();
    let mut flag_langs = BTreeMap::new();
    let mut req_langs = BTreeMap::new();
    let mut cond_langs = BTreeMap::new();
    let mut sub_langs = BTreeMap::new();
    let mut topic_langs = BTreeMap::new();
    for (sfile, sec, lang, lines) in secs {
        for (key, span) in sec.definition_keys() {
            diags.push(diag(
                sfile,
                span,
                Level::Error,
                format!("key \"{key}\" belongs in the rule definition, not in a language section"),
            ));
        }
        if let Some(k) = kind {
            let allowed = KIND_KEYS
                .iter()
                .find(|(n, _)| *n == k)
                .map_or(&[][..], |(_, a)| *a);
            for (key, span) in sec.matching_keys() {
                if !allowed.contains(&key) {
                    diags.push(diag(
                        sfile,
                        span,
                        Level::Error,
                        format!("key \"{key}\" is not used by kind \"{k}\""),
                    ));
                }
            }
        }
        let mut texts = Texts::default();
        for t in [&sec.title, &sec.explanation, &sec.message]
            .into_iter()
            .flatten()
        {
            check_placeholders_in(sfile, t, diags);
        }
        texts.title = sec.title.as_ref().map(|t| t.get_ref().clone());
        texts.explanation = sec
            .explanation
            .as_ref()
            .map(|t| t.get_ref().as_str().into());
        texts.message = sec.message.as_ref().map(|t| t.get_ref().clone());
        texts.suggestions = sec
            .suggestions
            .as_ref()
            .map(|s| suggestions(sfile, s, diags));
        if texts != Texts::default() {
            localised.insert(*lang, texts);
        }
        // Tests.
        let origin = lines.place(&sfile.path, sec.id.span().start);
        let t = sec.tests.as_ref();
        let flag: Vec<String> = t.map(|t| t.get_ref().flag.clone()).unwrap_or_default();
        let clean: Vec<String> = t.map(|t| t.get_ref().clean.clone()).unwrap_or_default();
        let fix: Vec<(String, String)> = t
            .map(|t| {
                t.get_ref()
                    .fix
                    .iter()
                    .map(|f| (f.text.clone(), f.expect.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let tspan = t.map_or(sec.id.span(), |t| t.span());
        if flag.is_empty() {
            diags.push(diag(
                sfile,
                tspan.clone(),
                Level::Error,
                format!(
                    "rule \"{id}\" ({lang}) has no tests.flag: add at least one text it must flag"
                ),
            ));
        } else if flag.len() < 3 {
            diags.push(diag(
                sfile,
                tspan.clone(),
                Level::Warning,
                format!(
                    "rule \"{id}\" ({lang}) has {} tests.flag; 3 or more are recommended",
                    flag.len()
                ),
            ));
        }
        if clean.is_empty() {
            diags.push(diag(sfile, tspan.clone(), Level::Error, format!("rule \"{id}\" ({lang}) has no tests.clean: add at least one look-alike it must not flag")));
        } else if clean.len() < 2 {
            diags.push(diag(
                sfile,
                tspan.clone(),
                Level::Warning,
                format!("rule \"{id}\" ({lang}) has 1 tests.clean; 2 or more are recommended"),
            ));
        }
        if !fix.is_empty() && kind.is_some_and(|k| k != "substitute") {
            diags.push(diag(
                sfile,
                tspan.clone(),
                Level::Error,
                "tests.fix is only for kind \"substitute\"",
            ));
        }
        tests.push(RuleTests {
            lang: *lang,
            origin,
            flag,
            clean,
            fix,
        });
        let lex = lexicons.get(lang).unwrap_or(empty_lex);
        let mut cx = Cx {
            file: sfile,
            lang: *lang,
            lexicons: lex,
            brands,
            diags,
            validate: all_sections,
        };
        match kind {
            Some("flag") => {
                if let Some(x) = FlagLang::compile(sec, &mut cx) {
                    flag_langs.insert(*lang, x);
                }
            }
            Some("require") => {
                req_langs.insert(*lang, crate::rules::require::compile_section(sec, &mut cx));
            }
            Some("conditional") => {
                if let Some(x) = CondLang::compile(sec, &mut cx) {
                    cond_langs.insert(*lang, x);
                }
            }
            Some("substitute") => {
                if let Some(x) = SubLang::compile(sec, &mut cx) {
                    sub_langs.insert(*lang, x);
                }
            }
            Some("topic") => {
                topic_langs.insert(*lang, crate::rules::topic::compile_section(sec, &mut cx));
            }
            _ => {}
        }
    }
    if all_sections && secs.is_empty() && (kind != Some("require") || topics.is_empty()) {
        diags.push(diag(
            file,
            id_span.clone(),
            Level::Warning,
            format!("rule \"{id}\" has no language section, so it never matches"),
        ));
    }
    if all_sections
        && kind == Some("require")
        && topics.is_empty()
        && !req_langs.values().any(|p: &Vec<Pattern>| !p.is_empty())
        && !secs.is_empty()
    {
        diags.push(diag(
            file,
            id_span.clone(),
            Level::Error,
            format!("rule \"{id}\" (kind require) needs `topics` in the definition or `patterns` in a language section"),
        ));
    }
    if diags.iter().filter(|d| d.is_error()).count() > before {
        return None;
    }
    let header = RuleHeader {
        id,
        category: category?,
        severity: severity?,
        scope: scope?,
        title,
        explanation: explanation.into(),
        message: def.message.as_ref().map(|m| m.get_ref().clone()),
        references,
        suggestions: sugg,
        needs_legal_review: def
            .needs_legal_review
            .as_ref()
            .is_some_and(|b| *b.get_ref()),
        localised,
        tests,
        origin,
    };
    Some(match kind? {
        "flag" => Rule::Flag(FlagRule {
            header,
            langs: flag_langs,
        }),
        "require" => Rule::Require(RequireRule {
            header,
            applies_to,
            topics,
            langs: req_langs,
        }),
        "conditional" => Rule::Conditional(ConditionalRule {
            header,
            applies_to,
            langs: cond_langs,
        }),
        "substitute" => Rule::Substitute(SubstituteRule {
            header,
            langs: sub_langs,
        }),
        _ => Rule::Topic(TopicRule {
            header,
            topic: topic?,
            langs: topic_langs,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_parsed_once_are_kept_and_broken_ones_report_every_time() {
        let file = |path: &str, text: &str| SourceFile {
            path: path.into(),
            text: text.to_string().into(),
        };
        let pack = PackSource {
            dir: "rulesets/x".into(),
            pack: file(
                "rulesets/x/pack.toml",
                "name = \"x\"\nversion = \"1\"\nlanguages = []\n",
            ),
            files: vec![
                file(
                    "rulesets/x/10-good.toml",
                    "[lexicon]\nbodies = [\"agency\"]\n",
                ),
                file("rulesets/x/20-bad.toml", "[[rule]\nid = "),
            ],
        };
        let parsed = ParsedFiles::default();
        let errors = |diags: &[Diagnostic]| {
            diags
                .iter()
                .filter(|d| d.level == Level::Error && d.path.ends_with("20-bad.toml"))
                .count()
        };
        for _ in 0..2 {
            let packs = std::slice::from_ref(&pack);
            let (_, diags) = build_for(
                packs,
                &Config::default(),
                Vec::new(),
                Some(&[]),
                Some(&parsed),
            );
            assert_eq!(errors(&diags), 1, "{diags:?}");
        }
        assert!(
            parsed.get(&pack.files[0]).is_some(),
            "the good file is kept"
        );
        assert!(
            parsed.get(&pack.files[1]).is_none(),
            "the broken one is not"
        );
    }

    #[test]
    fn tidies_serde_messages() {
        assert_eq!(
            tidy_message("unknown field `sevrity`, expected one of `id`, `severity`, `scope`"),
            "unknown key \"sevrity\" (did you mean \"severity\"?)"
        );
        assert_eq!(
            tidy_message("unknown field `zzz`, expected `a` or `b`"),
            "unknown key \"zzz\""
        );
        assert_eq!(tidy_message("missing field `id`"), "missing key \"id\"");
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}

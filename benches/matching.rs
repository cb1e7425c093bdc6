//! Matching throughput: all shipped rules over ~10 MB of generated tender text.
//!
//! `cargo bench --bench matching`. Throughput is counted in bytes of normalised text. Rules run on
//! all cores (as for one large tender) and on one thread (as in a full batch). The text is
//! mostly ordinary tender prose with about one sentence in twelve that some rule is about, so the
//! prefilter (a word-start trie over every pattern's anchors) decides most blocks and the NFAs run
//! only on candidates.

use divan::counter::BytesCount;
use tenderlint::analysis::Analysis;
use tenderlint::check::{analyse, analyse_as};
use tenderlint::document::{Block, BlockKind, Document, Format};
use tenderlint::lang::Lang;
use tenderlint::ruleset::RuleSet;

/// The binary's allocator, so the figures are the tool's.
#[global_allocator]
static ALLOCATOR: tenderlint_alloc::Allocator = tenderlint_alloc::Allocator;

fn main() {
    divan::main();
}

const TARGET_BYTES: usize = 10 * 1024 * 1024;

const PLAIN: &[&str] = &[
    "The Contractor shall provide the services described in Annex 2 from the start date of the contract.",
    "Invoices are payable within thirty days of receipt of a correct invoice.",
    "The service desk shall be available on working days between 8:00 and 18:00 local time.",
    "Meetings between the parties take place at least once a month at the premises of the Authority.",
    "The Contractor shall appoint a project manager who speaks the language of the contract.",
    "All personnel of the Contractor shall comply with the security rules of the Authority.",
    "Response times for priority 1 incidents shall not exceed four hours.",
    "The tender shall be valid for a period of six months from the deadline for submission.",
    "Changes to the scope of the services require a written amendment signed by both parties.",
    "The Authority may carry out audits of the services with a notice of ten working days.",
    "Training for up to forty users shall be included in the price.",
    "The Contractor shall keep a register of all incidents and report on it every quarter.",
    "Personal data shall be processed in accordance with the General Data Protection Regulation.",
    "Acceptance tests are carried out by the Authority within fifteen days of delivery.",
    "Penalties for late delivery amount to 0.5 % of the price per day of delay.",
];

const HOT: &[&str] = &[
    "All intellectual property rights in the deliverables shall remain with the Contractor.",
    "Documents shall be delivered in Microsoft Word format.",
    "The source code shall be deposited with an escrow agent.",
    "The Contractor grants the Authority a non-transferable licence to use the software.",
    "The intranet shall be based on Microsoft SharePoint.",
    "The Authority may not disclose the software to other public bodies.",
];

fn generate() -> Document {
    let mut doc = Document::new("bench.txt", Format::Text);
    doc.language = Some(Lang::En);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut total = 0;
    let mut clause = 0;
    while total < TARGET_BYTES {
        clause += 1;
        let mut text = String::new();
        let sentences = 3 + (next() % 3) as usize;
        for _ in 0..sentences {
            let r = next();
            let s = if r % 12 == 0 {
                HOT[(r / 12) as usize % HOT.len()]
            } else {
                PLAIN[(r / 12) as usize % PLAIN.len()]
            };
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(s);
        }
        total += text.len();
        let mut b = Block::new(BlockKind::Paragraph, text);
        b.clause = Some(format!("{}.{}", clause / 10 + 1, clause % 10 + 1));
        doc.blocks.push(b);
    }
    doc
}

fn rules() -> RuleSet {
    RuleSet::builtin().expect("shipped rules load")
}

fn normalised_bytes(doc: &Document) -> u64 {
    doc.blocks
        .iter()
        .map(|b| tenderlint::normalise::normalise(&b.text).text.len() as u64)
        .sum()
}

/// Analyses a fresh copy of the benchmark document per sample with `analyse`, counting bytes of
/// normalised text. Fifteen samples: on a shared machine five gave medians 20% apart from run to
/// run, and the first samples pay for fresh memory (about 24 K page faults on the first,
/// measured with the same text). The analysis is returned, so divan frees it (the document and
/// the findings) after the timing: freeing the result is not matching, and the command line
/// never frees it (it ends with `_exit`; `tenderlint_alloc::exit_now`).
fn bench_analysis(
    bencher: divan::Bencher,
    analyse: impl Fn(Document, &RuleSet) -> Analysis + Sync,
) {
    let rules = rules();
    let doc = generate();
    let bytes = normalised_bytes(&doc);
    bencher
        .counter(BytesCount::new(bytes))
        .with_inputs(|| doc.clone())
        .bench_values(|d| analyse(d, &rules));
}

#[divan::bench(sample_count = 15, sample_size = 1)]
fn analyse_detecting_languages(bencher: divan::Bencher) {
    bench_analysis(bencher, analyse);
}

#[divan::bench(sample_count = 15, sample_size = 1)]
fn analyse_known_language(bencher: divan::Bencher) {
    bench_analysis(bencher, |d, rules| analyse_as(d, Lang::En, rules));
}

/// As a batch that fills every worker runs it: rules one after another on one thread.
#[divan::bench(sample_count = 15, sample_size = 1)]
fn analyse_known_language_one_thread(bencher: divan::Bencher) {
    bench_analysis(bencher, |d, rules| {
        tenderlint::par::with_within_document(false, || analyse_as(d, Lang::En, rules))
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn normalise_only(bencher: divan::Bencher) {
    let doc = generate();
    let bytes = normalised_bytes(&doc);
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        doc.blocks
            .iter()
            .map(|b| tenderlint::normalise::normalise(&b.text).text.len())
            .sum::<usize>()
    });
}

//! The batch runner behind `tenderlint scan`: which files a list of paths means, and reading and
//! analysing them in parallel without letting one bad document stop or stall the others.
//!
//! Design decisions:
//! - Folder walks pick files by extension (`.pdf`, `.docx`, `.odt`, `.fodt`, `.txt`, `.text`,
//!   `.md`, `.markdown`, case-insensitive), not by sniffing content: a walk over a shared drive
//!   then never opens spreadsheets, images or archives, and what is picked is predictable.
//!   `--include` globs replace that list; `--exclude` globs prune files and folders. Globs
//!   match the path relative to the folder given. Hidden files and folders (name starting with
//!   `.`) are skipped, and symbolic links inside a walk are never followed, so a walk cannot
//!   leave its tree. A file named on the command line is always read, whatever its name, and
//!   its format is always told from its content.
//! - Results keep input order (command-line order; folder contents sorted by path), whatever the
//!   number of threads, so reports are byte-identical with `--jobs 1` and `--jobs 8`.
//! - Each document is read and analysed on a helper thread, and its rayon worker waits at most
//!   the timeout for it. Each worker keeps its helper from one document to the next (a thread per
//!   document made the batch 20 % slower: every document started on an empty allocator heap).
//!   A document that hangs becomes a [`ErrorKind::Timeout`] entry; its helper is abandoned (it
//!   ends with the process) and the next document gets a new one. Panics in reading or analysis
//!   become [`ErrorKind::Panic`] entries. The deadline also goes to readers through
//!   [`Limits::timeout`].
//! - The analysis is injected ([`Analyser`]), so this module does not depend on how rules work,
//!   and tests can run it with any function; progress is reported through a callback, so this
//!   module knows nothing about terminals.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::document::Document;
use crate::error::{ErrorKind, ReadError};
use crate::extract::{self, panic_message};
use crate::limits::Limits;
use crate::report::DocumentReport;

/// Extensions a folder walk picks by default.
pub const CANDIDATE_EXTENSIONS: [&str; 8] = [
    "pdf", "docx", "odt", "fodt", "txt", "text", "md", "markdown",
];

/// Name prefix of the per-document worker threads (the display name follows), so a caller can
/// tell their panics, which become error entries, from others.
pub const WORKER_THREAD_PREFIX: &str = "tenderlint-doc:";

/// The display name of standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Document -> findings, or the reason it could not be analysed; shared by all worker threads.
pub type Analyser = Arc<dyn Fn(Document) -> Result<Analysis, ErrorKind> + Send + Sync>;

/// Given some of a document's words before the document is read (see
/// [`extract::sample::text_sample`]), starts work the analysis will need that depends only on
/// them, such as compiling the rules for their language, and returns at once.
pub type Preparer = Arc<dyn Fn(String) + Send + Sync>;

/// One document to scan.
#[derive(Debug, Clone)]
pub struct Input {
    /// As reports show it: relative as given, `/` separators, `<stdin>`.
    pub display: String,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub enum Source {
    Path(PathBuf),
    /// Standard input, read once before the batch starts.
    Bytes(Arc<Vec<u8>>),
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("invalid glob {glob:?}: {source}")]
    Glob {
        glob: String,
        source: globset::Error,
    },
    #[error("standard input (-) can be given only once")]
    StdinTwice,
    #[error("cannot read standard input: {0}")]
    Stdin(std::io::Error),
    #[error("cannot start {0} worker threads: {1}")]
    Pool(usize, rayon::ThreadPoolBuildError),
}

/// Which files of a folder walk to take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

struct Matchers {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

fn globset(globs: &[String]) -> Result<GlobSet, BatchError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|source| BatchError::Glob {
            glob: g.clone(),
            source,
        })?);
    }
    b.build().map_err(|source| BatchError::Glob {
        glob: globs.join(" "),
        source,
    })
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn is_candidate(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| CANDIDATE_EXTENSIONS.contains(&e.as_str()))
}

/// Expands the command-line paths into documents, in order. `-` reads standard input from
/// `stdin` (once). A path that does not exist is kept: reading it fails and reports the error.
pub fn collect_inputs(
    paths: &[PathBuf],
    selection: &Selection,
    stdin: &mut dyn std::io::Read,
) -> Result<Vec<Input>, BatchError> {
    let m = Matchers {
        include: if selection.include.is_empty() {
            None
        } else {
            Some(globset(&selection.include)?)
        },
        exclude: globset(&selection.exclude)?,
    };
    let mut inputs = Vec::new();
    let mut stdin_seen = false;
    for p in paths {
        if p.as_os_str() == "-" {
            if stdin_seen {
                return Err(BatchError::StdinTwice);
            }
            stdin_seen = true;
            let mut bytes = Vec::new();
            stdin.read_to_end(&mut bytes).map_err(BatchError::Stdin)?;
            inputs.push(Input {
                display: STDIN_NAME.to_string(),
                source: Source::Bytes(Arc::new(bytes)),
            });
        } else if p.is_dir() {
            walk(p, &m, &mut inputs);
        } else {
            inputs.push(Input {
                display: display(p),
                source: Source::Path(p.clone()),
            });
        }
    }
    Ok(inputs)
}

fn walk(root: &Path, m: &Matchers, inputs: &mut Vec<Input>) {
    let entries = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if is_hidden(e.file_name()) {
                return false;
            }
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            !m.exclude.is_match(rel)
        });
    for entry in entries {
        let Ok(entry) = entry else {
            // An unreadable folder inside the walk: nothing to list from it. Its files cannot
            // be reported as documents since their names are unknown.
            continue;
        };
        if !entry.file_type().is_file() {
            continue; // folders, and symbolic links, which a walk never follows
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let wanted = match &m.include {
            Some(inc) => inc.is_match(rel),
            None => is_candidate(entry.path()),
        };
        if wanted {
            inputs.push(Input {
                display: display(entry.path()),
                source: Source::Path(entry.path().to_path_buf()),
            });
        }
    }
}

/// How to run a batch.
#[derive(Clone)]
pub struct RunOptions {
    /// Worker threads; 0 means one per available core.
    pub jobs: usize,
    /// Per-document limits; `limits.timeout` is the per-document deadline (zero: none).
    pub limits: Limits,
    /// Load each document's review sidecar.
    pub load_reviews: bool,
    /// Called before a document is read when the document may use every core (one large
    /// tender): the work it starts then runs on a core that would otherwise wait for the
    /// reading. Never called in a batch that keeps every core busy with documents.
    pub prepare: Option<Preparer>,
}

/// Reads and analyses every input; one [`DocumentReport`] per input, in input order.
/// `progress` is called once per finished document, from worker threads.
pub fn run(
    inputs: &[Input],
    analyse: &Analyser,
    options: &RunOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Vec<DocumentReport>, BatchError> {
    let jobs = if options.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.jobs
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("tenderlint-batch-{i}"))
        .build()
        .map_err(|e| BatchError::Pool(jobs, e))?;
    // Documents fill the workers: each keeps to its own thread (see `par`).
    let budget = if jobs == 1 {
        crate::par::Threads::One
    } else if inputs.len() < jobs {
        crate::par::Threads::All
    } else {
        crate::par::Threads::PerDocument
    };
    Ok(pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let report = crate::par::with_threads(budget, || run_one(input, analyse, options));
                progress(&input.display);
                report
            })
            .collect()
    }))
}

/// Reads and analyses one document on a helper thread, waiting at most the timeout.
pub fn run_one(input: &Input, analyse: &Analyser, options: &RunOptions) -> DocumentReport {
    let path = match &input.source {
        Source::Path(p) => p.clone(),
        Source::Bytes(_) => PathBuf::from(STDIN_NAME),
    };
    let timeout = options.limits.timeout;
    let (tx, rx) = mpsc::channel();
    let job = {
        let input = input.clone();
        let analyse = Arc::clone(analyse);
        let options = options.clone();
        let budget = crate::par::threads();
        move || {
            let report = crate::par::with_threads(budget, || work(&input, &analyse, &options));
            let _ = tx.send(report);
        }
    };
    let spawned = on_helper(Box::new(job));
    let err = |kind| DocumentReport {
        path: input.display.clone(),
        result: Err(ReadError::new(&path, kind)),
        review: None,
        notes: Vec::new(),
    };
    if let Err(e) = spawned {
        return err(ErrorKind::Io(format!("cannot start a thread: {e}")));
    }
    let received = if timeout.is_zero() {
        rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
    } else {
        rx.recv_timeout(timeout)
    };
    match received {
        Ok(report) => report,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // The helper is still busy with this document: the next one gets a new helper, and
            // this one ends when (if ever) the document is done.
            HELPER.with(|h| *h.borrow_mut() = None);
            err(ErrorKind::Timeout(timeout_secs(timeout)))
        }
        // The thread ended without sending: only a panic outside our catch_unwind does that.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            err(ErrorKind::Panic("worker thread ended unexpectedly".into()))
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// The thread that runs this worker's documents. Kept from one document to the next: a
    /// thread per document started every document on an empty allocator heap, on fresh pages.
    static HELPER: std::cell::RefCell<Option<mpsc::Sender<Job>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `job` on this thread's helper, starting one when there is none or it has ended (a
/// panic outside `catch_unwind` ends it).
fn on_helper(job: Job) -> std::io::Result<()> {
    HELPER.with(|cell| {
        let mut helper = cell.borrow_mut();
        let job = match helper.as_ref() {
            Some(tx) => match tx.send(job) {
                Ok(()) => return Ok(()),
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(format!("{WORKER_THREAD_PREFIX}worker"))
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job();
                }
            })?;
        let sent = tx
            .send(job)
            .map_err(|_| std::io::Error::other("helper thread ended"));
        *helper = Some(tx);
        sent
    })
}

fn timeout_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn work(input: &Input, analyse: &Analyser, options: &RunOptions) -> DocumentReport {
    let prepare = |bytes: &[u8]| {
        if let Some(prepare) = &options.prepare
            && crate::par::within_document()
            && let Some(sample) = extract::sample::text_sample(bytes, &options.limits)
        {
            prepare(sample);
        }
    };
    let read = match &input.source {
        Source::Path(p) => extract::read_file(p, &options.limits).and_then(|bytes| {
            prepare(&bytes);
            extract::read_bytes(p, &bytes, &options.limits)
        }),
        Source::Bytes(b) => {
            prepare(b);
            extract::read_bytes(Path::new(STDIN_NAME), b, &options.limits)
        }
    };
    let path = match &input.source {
        Source::Path(p) => Some(p.as_path()),
        Source::Bytes(_) => None,
    };
    let result = read.and_then(|doc| {
        let doc_path = doc.path.clone();
        catch_unwind(AssertUnwindSafe(|| analyse(doc)))
            .unwrap_or_else(|payload| {
                Err(ErrorKind::Panic(format!(
                    "analysis: {}",
                    panic_message(&*payload)
                )))
            })
            .map_err(|kind| ReadError::new(&doc_path, kind))
    });
    let mut notes = Vec::new();
    let review = match path {
        Some(p) if options.load_reviews => match crate::review::load(p) {
            Ok(r) => r,
            Err(e) => {
                notes.push(format!("review decisions not loaded: {e}"));
                None
            }
        },
        _ => None,
    };
    DocumentReport {
        path: input.display.clone(),
        result,
        review,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(inputs: &[Input], root: &Path) -> Vec<String> {
        let prefix = display(root) + "/";
        inputs
            .iter()
            .map(|i| {
                i.display
                    .strip_prefix(&prefix)
                    .unwrap_or(&i.display)
                    .to_string()
            })
            .collect()
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.pdf",
            "a.TXT",
            "notes.xlsx",
            "sub/c.docx",
            "sub/d.md",
            "sub/skip/e.odt",
            ".hidden.txt",
            ".git/f.txt",
            "a.txt.tenderlint.json",
        ] {
            let p = root.join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"x").unwrap();
        }
        dir
    }

    #[test]
    fn walks_pick_candidates_in_sorted_order_skipping_hidden() {
        let dir = tree();
        let root = dir.path();
        let got =
            collect_inputs(&[root.to_path_buf()], &Selection::default(), &mut &b""[..]).unwrap();
        assert_eq!(
            names(&got, root),
            ["a.TXT", "b.pdf", "sub/c.docx", "sub/d.md", "sub/skip/e.odt"]
        );
    }

    #[test]
    fn include_replaces_the_extension_list_and_exclude_prunes() {
        let dir = tree();
        let root = dir.path();
        let sel = Selection {
            include: vec!["*.xlsx".into(), "*.md".into(), "*.odt".into()],
            exclude: vec!["sub/skip".into()],
        };
        let got = collect_inputs(&[root.to_path_buf()], &sel, &mut &b""[..]).unwrap();
        assert_eq!(names(&got, root), ["notes.xlsx", "sub/d.md"]);
        let bad = Selection {
            include: vec!["[".into()],
            exclude: vec![],
        };
        assert!(matches!(
            collect_inputs(&[root.to_path_buf()], &bad, &mut &b""[..]),
            Err(BatchError::Glob { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed_out_of_the_tree() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.txt"), b"x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("in.txt"), b"x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("file-link.txt"),
        )
        .unwrap();
        let got = collect_inputs(
            &[dir.path().to_path_buf()],
            &Selection::default(),
            &mut &b""[..],
        )
        .unwrap();
        assert_eq!(names(&got, dir.path()), ["in.txt"]);
    }

    #[test]
    fn explicit_files_stdin_and_missing_paths_are_kept_in_order() {
        let dir = tree();
        let notes = dir.path().join("notes.xlsx");
        let missing = dir.path().join("missing.pdf");
        let args = [notes.clone(), PathBuf::from("-"), missing.clone()];
        let got = collect_inputs(&args, &Selection::default(), &mut &b"stdin text"[..]).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].display, STDIN_NAME);
        assert!(matches!(&got[1].source, Source::Bytes(b) if b.as_slice() == b"stdin text"));
        assert_eq!(got[2].display, display(&missing));
        let twice = [PathBuf::from("-"), PathBuf::from("-")];
        assert!(matches!(
            collect_inputs(&twice, &Selection::default(), &mut &b""[..]),
            Err(BatchError::StdinTwice)
        ));
    }

    fn options(timeout: Duration) -> RunOptions {
        RunOptions {
            jobs: 2,
            limits: Limits {
                timeout,
                ..Limits::default()
            },
            load_reviews: true,
            prepare: None,
        }
    }

    /// The analysis of a document without rules.
    fn nothing_found(document: Document) -> Result<Analysis, ErrorKind> {
        Ok(Analysis {
            document,
            findings: Vec::new(),
            topics: Vec::new(),
        })
    }

    fn no_rules() -> Analyser {
        Arc::new(nothing_found)
    }

    fn bytes(name: &str, b: &[u8]) -> Input {
        Input {
            display: name.into(),
            source: Source::Bytes(Arc::new(b.to_vec())),
        }
    }

    #[test]
    fn bad_documents_become_error_entries_and_order_is_kept() {
        let inputs = vec![
            bytes("a", b"7.1 The Contractor shall deliver the source code.\n"),
            bytes("b", b"%PDF-1.7 garbage"),
            bytes("c", b""),
            Input {
                display: "missing.pdf".into(),
                source: Source::Path(PathBuf::from("/nonexistent/missing.pdf")),
            },
            bytes("e", b"Plain text.\n"),
        ];
        let done = std::sync::atomic::AtomicUsize::new(0);
        let out = run(
            &inputs,
            &no_rules(),
            &options(Duration::from_secs(30)),
            &|_| {
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
        )
        .unwrap();
        assert_eq!(done.into_inner(), 5);
        let paths: Vec<&str> = out.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["a", "b", "c", "missing.pdf", "e"]);
        assert!(out[0].result.is_ok());
        assert!(out[1].result.is_err());
        assert!(out[2].result.is_err());
        assert!(matches!(
            out[3].result.as_ref().unwrap_err().kind,
            ErrorKind::Io(_)
        ));
        assert!(out[4].result.is_ok());
    }

    /// The samples `prepare` was given in a run of `inputs` with `jobs` workers.
    fn prepared(inputs: &[Input], jobs: usize) -> Vec<String> {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let options = RunOptions {
            jobs,
            prepare: Some({
                let seen = Arc::clone(&seen);
                Arc::new(move |sample| seen.lock().unwrap().push(sample))
            }),
            ..options(Duration::ZERO)
        };
        let out = run(inputs, &no_rules(), &options, &|_| {}).unwrap();
        assert!(out.iter().all(|d| d.result.is_ok()));
        let mut v = seen.lock().unwrap().clone();
        v.sort();
        v
    }

    #[test]
    fn prepare_sees_a_sample_before_reading_only_when_the_document_has_every_core() {
        let one = [bytes("a", b"Le titulaire livre le code source.\n")];
        assert_eq!(prepared(&one, 2), ["Le titulaire livre le code source.\n"]);
        // `--jobs 1` promises one thread, and a batch with a document per worker keeps every
        // core busy: nothing is started beside the reading.
        assert!(prepared(&one, 1).is_empty());
        let three = [
            bytes("a", b"One.\n"),
            bytes("b", b"Two.\n"),
            bytes("c", b"Three.\n"),
        ];
        assert!(prepared(&three, 2).is_empty());
        // Fewer documents than workers: each gets every core, and a sample.
        assert_eq!(prepared(&three[..1], 2), ["One.\n"]);
    }

    #[test]
    fn a_panicking_analysis_is_that_documents_error() {
        let analyse: Analyser = Arc::new(|doc| {
            if doc.plain_text().contains("boom") {
                panic!("rule blew up");
            }
            nothing_found(doc)
        });
        let inputs = vec![bytes("ok", b"fine text\n"), bytes("bad", b"boom\n")];
        let out = run(&inputs, &analyse, &options(Duration::ZERO), &|_| {}).unwrap();
        assert!(out[0].result.is_ok());
        let e = out[1].result.as_ref().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Panic("analysis: rule blew up".into()));
    }

    #[test]
    fn an_analysis_error_is_that_documents_error() {
        let analyse: Analyser = Arc::new(|doc| {
            if doc.plain_text().contains("german") {
                return Err(ErrorKind::Rules("rules for de: 1 error(s)".into()));
            }
            nothing_found(doc)
        });
        let inputs = vec![bytes("a", b"english\n"), bytes("b", b"german\n")];
        let out = run(&inputs, &analyse, &options(Duration::ZERO), &|_| {}).unwrap();
        assert!(out[0].result.is_ok());
        let e = out[1].result.as_ref().unwrap_err();
        assert_eq!(e.kind.id(), "rules");
        assert_eq!(
            e.to_string(),
            "<stdin>: rules unusable: rules for de: 1 error(s)"
        );
    }

    #[test]
    fn a_hanging_document_times_out_without_stalling_the_rest() {
        let analyse: Analyser = Arc::new(|doc| {
            if doc.plain_text().contains("hang") {
                std::thread::sleep(Duration::from_secs(30));
            }
            nothing_found(doc)
        });
        let inputs = vec![bytes("hang", b"hang\n"), bytes("ok", b"fine\n")];
        let started = std::time::Instant::now();
        let out = run(
            &inputs,
            &analyse,
            &options(Duration::from_millis(300)),
            &|_| {},
        )
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(
            out[0].result.as_ref().unwrap_err().kind,
            ErrorKind::Timeout(1)
        );
        assert!(out[1].result.is_ok());
    }

    #[test]
    fn one_helper_runs_a_threads_documents_and_a_hung_one_is_replaced() {
        let analyse: Analyser = Arc::new(|doc| {
            if doc.plain_text().contains("hang") {
                std::thread::sleep(Duration::from_secs(30));
            }
            let mut doc = doc;
            // Which thread read it: the report's title carries it back.
            doc.title = std::thread::current().name().map(str::to_string);
            nothing_found(doc)
        });
        let opts = options(Duration::from_millis(300));
        let thread_of = |r: &DocumentReport| {
            r.result
                .as_ref()
                .ok()
                .and_then(|a| a.document.title.clone())
                .unwrap_or_default()
        };
        // On one calling thread, documents one after another.
        std::thread::spawn(move || {
            let a = run_one(&bytes("a", b"fine\n"), &analyse, &opts);
            let b = run_one(&bytes("b", b"fine too\n"), &analyse, &opts);
            assert!(
                thread_of(&a).starts_with(WORKER_THREAD_PREFIX),
                "{}",
                thread_of(&a)
            );
            assert_eq!(thread_of(&a), thread_of(&b), "same helper thread");
            let hung = run_one(&bytes("h", b"hang\n"), &analyse, &opts);
            assert_eq!(hung.result.unwrap_err().kind, ErrorKind::Timeout(1));
            // The helper is busy for 30 s: the next document must not wait for it.
            let started = std::time::Instant::now();
            let c = run_one(&bytes("c", b"fine again\n"), &analyse, &opts);
            assert!(c.result.is_ok());
            assert!(started.elapsed() < Duration::from_secs(5));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn review_sidecars_are_attached_and_bad_ones_noted() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.txt");
        let bad = dir.path().join("bad.txt");
        fs::write(&good, b"Some tender text.\n").unwrap();
        fs::write(&bad, b"Other tender text.\n").unwrap();
        crate::review::save(&good, &crate::review::Review::new(&good)).unwrap();
        fs::write(crate::review::sidecar_path(&bad), b"not json").unwrap();
        let inputs = collect_inputs(
            &[dir.path().to_path_buf()],
            &Selection::default(),
            &mut &b""[..],
        )
        .unwrap();
        let out = run(&inputs, &no_rules(), &options(Duration::ZERO), &|_| {}).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out[0].notes[0].starts_with("review decisions not loaded"));
        assert!(out[1].review.is_some());
    }
}

//! `tenderlint scan` and `tenderlint extract` end to end: every report format snapshotted on
//! `fixtures/scan/`, the JSON schema, the SARIF Multitool (when installed), exit codes, stdin,
//! thread-count independence, bad files in a batch, timeouts, the progress bar in a
//! pseudo-terminal.
//!
//! Runs use `fixtures/scan` as the working directory with relative paths, and a fixed clock
//! (`SOURCE_DATE_EPOCH`), so output is byte-stable.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

const EPOCH: &str = "1767323045"; // 2026-01-02T03:04:05Z

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scan")
}

fn tenderlint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenderlint"));
    cmd.current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("NO_COLOR");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    tenderlint(dir)
        .args(args)
        .output()
        .expect("tenderlint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn assert_valid(v: &serde_json::Value) {
    let validator = schema_validator();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_format_snapshot_on_fixtures() {
    for format in ["human", "json", "jsonl", "sarif", "csv", "markdown", "html"] {
        let o = run(
            &fixtures(),
            &["scan", ".", "--format", format, "--fail-on", "never"],
        );
        assert_eq!(
            code(&o),
            0,
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        insta::assert_snapshot!(format!("scan_fixtures_{format}"), stdout(&o));
    }
}

#[test]
fn json_report_validates_against_the_schema() {
    let o = run(&fixtures(), &["scan", ".", "-f", "json"]);
    let v = json(&o);
    assert_valid(&v);
    assert_eq!(v["summary"]["documents"], 4);
    assert_eq!(v["generated_at"], "2026-01-02T03:04:05Z");
}

#[test]
fn reports_do_not_depend_on_the_thread_count() {
    for format in ["json", "sarif", "csv"] {
        let one = run(&fixtures(), &["scan", ".", "-f", format, "--jobs", "1"]);
        let two = run(&fixtures(), &["scan", ".", "-f", format, "--jobs", "2"]);
        let four = run(&fixtures(), &["scan", ".", "-f", format, "-j", "4"]);
        assert_eq!(one.stdout, two.stdout, "{format}");
        assert_eq!(one.stdout, four.stdout, "{format}");
    }
}

#[test]
fn several_reports_in_one_run_are_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let o = tenderlint(&fixtures())
        .args(["scan", ".", "-f", "json", "--fail-on", "never", "--report"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("--report")
        .arg(format!("html={}", dir.path().join("out.html").display()))
        .arg("-o")
        .arg(dir.path().join("out.json"))
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty(), "the report went to -o, not stdout");
    let sarif_v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(sarif_v["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(dir.path().join("out.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let out_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    assert_valid(&out_json);
    // Only the three reports: no temporary files left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out.html", "out.json", "out.sarif"]);
}

#[test]
fn refuses_to_write_a_report_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tender.txt");
    std::fs::write(&input, "The Contractor shall deliver the source code.\n").unwrap();
    let o = run(
        dir.path(),
        &["scan", "tender.txt", "--report", "json=tender.txt"],
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to overwrite the input"));
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        "The Contractor shall deliver the source code.\n"
    );
}

#[test]
fn exit_code_zero_for_a_clean_set() {
    let o = run(&fixtures(), &["scan", "clean"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run(&fixtures(), &["scan", "findings", "--fail-on", "never"]);
    assert_eq!(code(&o), 0);
}

#[test]
fn exit_code_one_for_findings_at_or_above_fail_on() {
    // The fixture set has blockers and warnings.
    let o = run(&fixtures(), &["scan", "findings"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let v = json(&run(&fixtures(), &["scan", "findings", "-f", "json"]));
    assert!(v["summary"]["by_severity"]["blocker"].as_u64().unwrap() > 0);
    // The clean tender has no blocker; with --fail-on info any finding counts.
    let clean = json(&run(&fixtures(), &["scan", "clean", "-f", "json"]));
    let any = clean["summary"]["findings"].as_u64().unwrap() > 0;
    let o = run(&fixtures(), &["scan", "clean", "--fail-on", "info"]);
    assert_eq!(code(&o), if any { 1 } else { 0 });
}

#[test]
fn dismissed_findings_do_not_fail_the_run_and_decisions_show_in_reports() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("t.md");
    std::fs::copy(fixtures().join("findings/lock-in.md"), &doc).unwrap();
    let before = json(&run(dir.path(), &["scan", "t.md", "-f", "json"]));
    let findings = before["documents"][0]["findings"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!findings.is_empty());
    // Dismiss every blocker, and keep one decision for a finding that does not exist.
    let mut review = tenderlint::review::Review::new(&doc);
    for f in findings.iter().filter(|f| f["severity"] == "blocker") {
        review.set(tenderlint::review::Decision {
            fingerprint: f["fingerprint"].as_str().unwrap().into(),
            rule_id: f["rule_id"].as_str().unwrap().into(),
            excerpt: f["excerpt"].as_str().map(str::to_string),
            status: tenderlint::review::Status::Dismissed,
            reason: Some("justified in the file".into()),
            note: None,
            replacement: None,
            decided_at: "2026-01-02T03:04:05Z".into(),
        });
    }
    review.set(tenderlint::review::Decision {
        fingerprint: "0000000000000000".into(),
        rule_id: "reuse.no-publication-right".into(),
        excerpt: Some("an old clause".into()),
        status: tenderlint::review::Status::Escalated,
        reason: None,
        note: Some("ask legal".into()),
        replacement: None,
        decided_at: "2026-01-02T03:04:05Z".into(),
    });
    tenderlint::review::save(&doc, &review).unwrap();
    let o = run(dir.path(), &["scan", "t.md", "-f", "json"]);
    assert_eq!(code(&o), 0, "all blockers dismissed");
    let v = json(&o);
    assert_valid(&v);
    let d = &v["documents"][0];
    for f in d["findings"].as_array().unwrap() {
        let want = if f["severity"] == "blocker" {
            "dismissed"
        } else {
            "open"
        };
        assert_eq!(f["decision"]["status"], want, "{f}");
    }
    assert_eq!(
        d["orphaned_decisions"][0]["decision"]["status"],
        "escalated"
    );
    let o = run(dir.path(), &["scan", "t.md", "--fail-on", "warning"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("(dismissed: justified in the file)"));
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["scan", "t.md", "-f", "sarif"]).stdout).unwrap();
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["suppressions"][0]["kind"] == "external")
    );
}

#[test]
fn config_and_rule_options_reach_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("findings/lock-in.md"),
        dir.path().join("t.md"),
    )
    .unwrap();
    let all = json(&run(dir.path(), &["scan", "t.md", "-f", "json"]));
    assert!(
        all["rulesets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "core")
    );
    let has = |v: &serde_json::Value, id: &str| {
        v["documents"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == id)
    };
    assert!(has(&all, "lock-in.brand-without-equivalent"));
    // Found upwards from the scanned path.
    std::fs::write(
        dir.path().join("tenderlint.toml"),
        "[rules]\ndisable = [\"lock-in.brand-without-equivalent\"]\n",
    )
    .unwrap();
    let found = json(&run(dir.path(), &["scan", "t.md", "-f", "json"]));
    assert!(!has(&found, "lock-in.brand-without-equivalent"));
    // Given explicitly, from elsewhere.
    let other = tempfile::tempdir().unwrap();
    std::fs::rename(
        dir.path().join("tenderlint.toml"),
        other.path().join("c.toml"),
    )
    .unwrap();
    let given = tenderlint(dir.path())
        .args(["scan", "t.md", "-f", "json", "--config"])
        .arg(other.path().join("c.toml"))
        .output()
        .unwrap();
    assert!(!has(&json(&given), "lock-in.brand-without-equivalent"));
    // An extra pack with --rules: its rule fires and the pack is listed in the report.
    let extra = other.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(
        extra.join("pack.toml"),
        "name = \"city-extra\"\nversion = \"0.3.0\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    std::fs::write(
        extra.join("10-local.toml"),
        r#"[[rule]]
id = "lock-in.city-fax-only"
kind = "flag"
category = "vendor-lock-in"
severity = "warning"
scope = "sentence"
title = "Bids may be sent by fax only"
explanation = "A fax-only channel shuts out bidders and keeps an old system alive."

[[rule]]
id = "lock-in.city-fax-only"
lang = "en"
patterns = ["by fax only", "only by fax"]
tests.flag = ["Bids are accepted by fax only.", "Send it only by fax.", "Offers go by fax only, nowhere else."]
tests.clean = ["Bids are accepted by e-mail.", "A fax number is given for questions."]
"#,
    )
    .unwrap();
    let mut text = std::fs::read_to_string(dir.path().join("t.md")).unwrap();
    text.push_str("\n6.1 Bids are accepted by fax only.\n");
    std::fs::write(dir.path().join("t.md"), text).unwrap();
    let with_pack = tenderlint(dir.path())
        .args(["scan", "t.md", "-f", "json", "--rules"])
        .arg(&extra)
        .output()
        .unwrap();
    let v = json(&with_pack);
    assert!(has(&v, "lock-in.city-fax-only"));
    assert!(
        v["rulesets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "city-extra" && r["version"] == "0.3.0")
    );
    // A missing config or rules folder is a usage error.
    assert_eq!(
        code(&run(
            dir.path(),
            &["scan", "t.md", "--rules", "no-such-dir"]
        )),
        2
    );
    assert_eq!(
        code(&run(dir.path(), &["scan", "t.md", "--config", "nope.toml"])),
        2
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["scan"][..],
        &["scan", ".", "--report", "nonsense"],
        &["scan", ".", "--format", "pdf"],
        &["scan", ".", "--jobs", "0"],
        &["scan", ".", "--include", "["],
        &["scan", "-", "-"],
        &["frobnicate", "--what"],
    ] {
        let o = run(&fixtures(), args);
        assert_eq!(code(&o), 2, "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
        assert_eq!(err.matches("error:").count(), 1, "printed once: {err}");
    }
}

/// A folder with good documents around bad ones: a PDF that is not one, a zip that is broken, and
/// a DOCX whose one entry inflates past the per-entry limit.
fn batch_with_bad_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::copy(
        fixtures().join("findings/supplier-keeps-rights.txt"),
        p.join("a-rights.txt"),
    )
    .unwrap();
    std::fs::write(
        p.join("b-corrupt.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ntrailer garbage",
    )
    .unwrap();
    std::fs::write(p.join("c-broken.docx"), b"PK\x03\x04this is no zip archive").unwrap();
    {
        let f = std::fs::File::create(p.join("d-bomb.docx")).unwrap();
        let mut zip = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(b"<Types/>").unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..130 {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
    }
    std::fs::copy(
        fixtures().join("findings/lock-in.md"),
        p.join("e-lock-in.md"),
    )
    .unwrap();
    dir
}

#[test]
fn unreadable_files_in_a_batch_exit_2_and_the_rest_is_fully_reported() {
    let dir = batch_with_bad_files();
    let o = run(dir.path(), &["scan", ".", "-f", "json"]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_valid(&v);
    let docs = v["documents"].as_array().unwrap();
    let paths: Vec<&str> = docs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "a-rights.txt",
            "b-corrupt.pdf",
            "c-broken.docx",
            "d-bomb.docx",
            "e-lock-in.md"
        ]
    );
    for bad in &docs[1..4] {
        assert!(bad["error"]["kind"].is_string(), "{bad}");
        assert!(bad["findings"].as_array().unwrap().is_empty());
    }
    assert_eq!(v["summary"]["unreadable"], 3);
    // Each error is said once on stderr, naming its file.
    let err = String::from_utf8_lossy(&o.stderr);
    for name in ["b-corrupt.pdf", "c-broken.docx", "d-bomb.docx"] {
        assert_eq!(err.matches(name).count(), 1, "{err}");
    }
    assert!(!docs[0]["findings"].as_array().unwrap().is_empty());
    assert!(!docs[4]["findings"].as_array().unwrap().is_empty());
    // The good documents' results are exactly what they are without the bad files around.
    let alone = run(
        dir.path(),
        &["scan", "a-rights.txt", "e-lock-in.md", "-f", "json"],
    );
    let alone = json(&alone);
    assert_eq!(docs[0], alone["documents"][0]);
    assert_eq!(docs[4], alone["documents"][1]);
}

#[test]
fn human_output_shows_errors_in_the_report_and_stays_plain_off_a_terminal() {
    let dir = batch_with_bad_files();
    let o = run(dir.path(), &["scan", "."]);
    assert_eq!(code(&o), 2);
    let out = stdout(&o);
    assert!(out.contains("b-corrupt.pdf: error:"), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    assert!(
        o.stderr.is_empty(),
        "errors are in the report, not repeated"
    );
    let o = run(dir.path(), &["scan", ".", "--color", "always"]);
    assert!(stdout(&o).contains("\u{1b}["));
}

#[test]
fn stdin_is_one_document_named_stdin() {
    let text = std::fs::read(fixtures().join("findings/supplier-keeps-rights.txt")).unwrap();
    let o = tenderlint(&fixtures())
        .args(["scan", "-", "-f", "json", "--fail-on", "never"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_valid(&v);
    assert_eq!(v["documents"][0]["path"], "<stdin>");
    assert_eq!(v["documents"][0]["format"], "text");
    // Same findings as the file itself.
    let file = run(
        &fixtures(),
        &[
            "scan",
            "findings/supplier-keeps-rights.txt",
            "-f",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(
        v["documents"][0]["findings"].as_array().map(Vec::len),
        json(&file)["documents"][0]["findings"]
            .as_array()
            .map(Vec::len)
    );
}

#[test]
fn a_wrongly_named_file_given_explicitly_is_read_by_its_content() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("findings/lock-in.md"),
        dir.path().join("tender.pdf"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("clean/open-tender.txt"),
        dir.path().join("notes.xlsx"),
    )
    .unwrap();
    let o = run(
        dir.path(),
        &[
            "scan",
            "tender.pdf",
            "notes.xlsx",
            "-f",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["documents"][0]["format"], "markdown");
    assert_eq!(v["documents"][1]["format"], "text");
    // A walk of the same folder goes by name: it takes tender.pdf (and reads it as Markdown) but
    // not notes.xlsx.
    let o = run(
        dir.path(),
        &["scan", ".", "-f", "json", "--fail-on", "never"],
    );
    let v = json(&o);
    assert_eq!(v["summary"]["documents"], 1);
    assert_eq!(v["documents"][0]["path"], "tender.pdf");
    assert_eq!(v["documents"][0]["format"], "markdown");
}

#[test]
fn extract_shows_blocks_with_page_clause_and_kind() {
    let o = run(&fixtures(), &["extract", "findings/lock-in.md"]);
    assert_eq!(code(&o), 0);
    insta::assert_snapshot!("extract_lock_in_text", stdout(&o));
    let o = run(
        &fixtures(),
        &["extract", "-f", "json", "findings/lock-in.md"],
    );
    let v = json(&o);
    assert_eq!(v["format"], "markdown");
    assert_eq!(v["blocks"][2]["clause"], "4.1");
    let o = run(
        &fixtures(),
        &["extract", "findings/lock-in.md", "missing.pdf"],
    );
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("==> findings/lock-in.md <=="));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.pdf"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..50 {
        std::fs::copy(
            fixtures().join("findings/lock-in.md"),
            dir.path().join(format!("t{i:02}.md")),
        )
        .unwrap();
    }
    let cmd = format!(
        "'{}' scan . -f json --fail-on never | head -c 10 >/dev/null; echo \"status=${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_tenderlint")
    );
    let o = std::process::Command::new("bash")
        .args(["-c", &cmd])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("status=0"), "{out}");
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn progress_bar_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    for i in 0..200 {
        std::fs::write(
            docs.join(format!("tender-{i:03}.txt")),
            format!("{i} The Contractor shall deliver the source code of module {i}.\n"),
        )
        .unwrap();
    }
    // Off a terminal: nothing on stderr.
    let o = run(
        dir.path(),
        &[
            "scan",
            "docs",
            "-f",
            "json",
            "-o",
            "plain.json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty());
    if !have("script") {
        println!("SKIPPED: script (util-linux) not installed");
        return;
    }
    // In a pseudo-terminal; stdout goes to a file, so the transcript is stderr alone.
    let bin = env!("CARGO_BIN_EXE_tenderlint");
    let cmd = format!("'{bin}' scan docs -f json -o tty.json --jobs 2 --fail-on never");
    let o = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let transcript = String::from_utf8_lossy(&o.stdout);
    assert!(transcript.contains("scanning ["), "{transcript}");
    assert!(transcript.contains("/200"), "{transcript}");
    let quiet = std::process::Command::new("script")
        .args(["-qec", &format!("{cmd} --quiet"), "/dev/null"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stdout).contains("scanning ["));
    let a = std::fs::read(dir.path().join("plain.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(v["documents"].as_array().unwrap().len(), 200);
}

/// The Multitool: `SARIF_MULTITOOL` names its launcher; else it is looked for where CI installs
/// it (`npm install --prefix target/sarif-multitool @microsoft/sarif-multitool`).
fn sarif_multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/sarif-multitool/node_modules/.bin/sarif-multitool");
    local.exists().then_some(local)
}

#[test]
fn sarif_passes_the_multitool_validator() {
    let Some(tool) = sarif_multitool() else {
        println!(
            "SKIPPED: SARIF Multitool not installed (set SARIF_MULTITOOL or run `npm install --prefix target/sarif-multitool @microsoft/sarif-multitool`)"
        );
        return;
    };
    let dir = batch_with_bad_files();
    let out = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("fixtures.sarif", vec!["scan", ".", "-f", "sarif"]),
        ("bad.sarif", vec!["scan", ".", "-f", "sarif"]),
    ] {
        let cwd = if name == "bad.sarif" {
            dir.path().to_path_buf()
        } else {
            fixtures()
        };
        let o = run(&cwd, &args);
        let file = out.path().join(name);
        std::fs::write(&file, &o.stdout).unwrap();
        let result = out.path().join(format!("{name}.validation.sarif"));
        let v = std::process::Command::new(&tool)
            .arg("validate")
            .arg(&file)
            .arg("-o")
            .arg(&result)
            .output()
            .expect("the Multitool runs");
        let log = String::from_utf8_lossy(&v.stdout);
        assert!(v.status.success(), "{log}");
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&result).unwrap()).unwrap();
        let problems: Vec<String> = r["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["level"] == "error")
            .map(|x| format!("{}: {}", x["ruleId"], x["message"]))
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}\n{log}");
    }
}

#[test]
fn a_document_that_takes_too_long_times_out_without_stalling_the_batch() {
    // Pathological by size: 300,000 numbered clauses (about 34 MB, under the input limit).
    // Reading it takes several seconds in a debug build, far beyond a one-second budget.
    let dir = tempfile::tempdir().unwrap();
    let line =
        "7.3 The Contractor shall deliver the source code of every module to the Authority.\n";
    std::fs::write(dir.path().join("a-huge.txt"), line.repeat(300_000)).unwrap();
    std::fs::copy(
        fixtures().join("findings/lock-in.md"),
        dir.path().join("b-small.md"),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = run(
        dir.path(),
        &["scan", ".", "-f", "json", "--timeout", "1", "--jobs", "2"],
    );
    let elapsed = started.elapsed();
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_valid(&v);
    assert_eq!(v["documents"][0]["error"]["kind"], "timeout");
    assert_eq!(v["documents"][0]["error"]["message"], "timed out after 1 s");
    assert!(v["documents"][1]["error"].is_null());
    // The abandoned reader does not hold up the exit.
    let untimed = std::time::Instant::now();
    let full = run(dir.path(), &["extract", "a-huge.txt"]);
    let full_time = untimed.elapsed();
    assert_eq!(code(&full), 0);
    // Only telling when reading alone takes longer than the budget: true of the debug build the
    // test command runs; an optimised build can read the file in under a second.
    if full_time > std::time::Duration::from_secs(1) {
        assert!(
            elapsed < full_time,
            "timed-out batch took {elapsed:?}, reading the file alone {full_time:?}"
        );
    } else {
        eprintln!("reading alone took {full_time:?}, within the budget: comparison skipped");
    }
}

#[test]
fn bare_paths_on_a_terminal_open_the_review() {
    if !have("tmux") {
        println!("SKIPPED: tmux not installed");
        return;
    }
    let socket = format!("tenderlint-scan-bare-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .expect("tmux runs")
    };
    let cmd = format!(
        "cd '{}' && '{}' findings/lock-in.md; sleep 30",
        fixtures().display(),
        env!("CARGO_BIN_EXE_tenderlint")
    );
    assert!(
        tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "30",
            &cmd
        ])
        .status
        .success()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut screen = String::new();
    while std::time::Instant::now() < deadline {
        screen =
            String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned();
        if screen.contains("tenderlint review") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    tmux(&["send-keys", "-t", "t", "q"]);
    tmux(&["kill-server"]);
    assert!(screen.contains("tenderlint review"), "{screen}");
    assert!(
        !screen.contains("(0 unreadable)"),
        "scan output instead: {screen}"
    );
}

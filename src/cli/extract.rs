//! `tenderlint extract`: prints what the analyser will see, block by block, so a person can tell
//! a reading problem from a rule problem. Text output is one sanitised line per block
//! (`[index] p<page> §<clause> <kind>: <text>`, the index being the `block` of findings); JSON is
//! the `Document` itself. A file that cannot be read is reported on stderr and the rest are still
//! shown; the exit code is then 2.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use tenderlint::config::Config;
use tenderlint::document::{BlockKind, Document};
use tenderlint::sanitize::for_terminal;
use tenderlint::{Limits, extract};

use super::{ExtractArgs, ExtractFormat, UsageError};

/// One line per block; page, clause and the table position are left out where they do not apply.
pub fn text_lines(doc: &Document) -> String {
    let mut out = String::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        let mut line = format!("[{i}]");
        if let Some(p) = b.page {
            line.push_str(&format!(" p{p}"));
        }
        if let Some(c) = &b.clause {
            line.push_str(&format!(" §{}", for_terminal(c, false)));
        }
        let kind = match &b.kind {
            BlockKind::Heading { level } => format!("heading{level}"),
            BlockKind::ListItem { level } => format!("list-item{level}"),
            BlockKind::TableCell { table, row, col } => {
                format!("table-cell(t{table} r{row} c{col})")
            }
            other => other.name().to_string(),
        };
        line.push_str(&format!(" {kind}: {}\n", for_terminal(&b.text, false)));
        out.push_str(&line);
    }
    out
}

fn read(path: &Path, limits: &Limits) -> Result<Document, tenderlint::ReadError> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        let name = Path::new(tenderlint::batch::STDIN_NAME);
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
            tenderlint::ReadError::new(name, tenderlint::ErrorKind::Io(e.to_string()))
        })?;
        extract::read_bytes(name, &bytes, limits)
    } else {
        extract::read_path(path, limits)
    }
}

pub fn run(args: ExtractArgs) -> Result<ExitCode> {
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(UsageError("standard input (-) can be given only once".into()).into());
    }
    let settings = match &args.config {
        Some(file) => Config::load(file)
            .with_context(|| format!("cannot use the configuration {}", file.display()))?,
        None => {
            let first = args.files.iter().find(|f| f.as_os_str() != "-");
            let start = first.map_or_else(|| Path::new(".").to_path_buf(), |f| f.clone());
            let start = std::path::absolute(&start).unwrap_or(start);
            Config::find(&start).context("cannot use the configuration found for the file")?
        }
    };
    let limits = super::scan::with_flags(settings.limits, None, args.max_input_size);
    let mut docs: Vec<Document> = Vec::new();
    let mut failed = false;
    let several = args.files.len() > 1;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in &args.files {
        match read(file, &limits) {
            Ok(doc) => match args.format {
                ExtractFormat::Text => {
                    if several {
                        writeln!(out, "==> {} <==", for_terminal(&display(file), false))
                            .context("writing to stdout")?;
                    }
                    out.write_all(text_lines(&doc).as_bytes())
                        .context("writing to stdout")?;
                }
                ExtractFormat::Json => docs.push(doc),
            },
            Err(e) => {
                failed = true;
                eprintln!("tenderlint: {}", for_terminal(&e.to_string(), false));
            }
        }
    }
    if args.format == ExtractFormat::Json {
        let mut json = if several {
            serde_json::to_vec_pretty(&docs)
        } else {
            match docs.first() {
                Some(d) => serde_json::to_vec_pretty(d),
                None => Ok(Vec::new()),
            }
        }
        .context("serialising the document")?;
        if !json.is_empty() {
            json.push(b'\n');
        }
        out.write_all(&json).context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn display(p: &Path) -> String {
    if p.as_os_str() == "-" {
        tenderlint::batch::STDIN_NAME.to_string()
    } else {
        p.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenderlint::document::Format;

    #[test]
    fn one_sanitised_line_per_block() {
        let src = "7 Rights\n\n7.3 The Contractor\nshall \u{1b}[2Jassign all rights.\n";
        let doc =
            extract::read_bytes(Path::new("t.txt"), src.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(doc.format, Format::Text);
        let text = text_lines(&doc);
        assert!(!text.contains('\u{1b}'));
        assert_eq!(text.lines().count(), doc.blocks.len());
        assert!(
            text.lines()
                .any(|l| l.starts_with("[1] §7.3 paragraph: ") && l.contains("assign all rights")),
            "{text}"
        );
    }
}

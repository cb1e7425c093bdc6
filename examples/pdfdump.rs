//! Development aid: prints the blocks tenderlint reads from PDFs.
fn main() {
    let limits = tenderlint::Limits::default();
    for arg in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        match tenderlint::extract::read_path(std::path::Path::new(&arg), &limits) {
            Ok(doc) => {
                if std::env::var_os("QUIET").is_none() {
                    for b in &doc.blocks {
                        println!(
                            "[p{} {} {:?}] {}",
                            b.page.unwrap_or(0),
                            b.kind.name(),
                            b.clause,
                            b.text
                        );
                    }
                }
                eprintln!("{arg}: ok {} blocks {:?}", doc.blocks.len(), t.elapsed());
            }
            Err(e) => eprintln!("{e} ({:?})", t.elapsed()),
        }
    }
}

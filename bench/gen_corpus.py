#!/usr/bin/env python3
"""Generates the benchmark corpus for bench/run.sh into bench/out/corpus (not committed).

- tender-300p.md / .docx / .pdf: a long tender (about 300 PDF pages) with numbered clauses,
  tables and lists, mixing clean clauses with ones the rules flag.
- tender-100p.docx: the same kind of text, about 100 pages.
- mixed/: 200 smaller documents (txt, md, docx, pdf) for batch throughput.

Deterministic: a fixed seed, so every run measures the same input.
"""
import os
import random
import shutil
import subprocess
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "corpus")

CLEAN = [
    "The Contractor shall deliver the complete source code of all software developed under this contract, together with build scripts and documentation.",
    "All intellectual property rights in the results shall vest in the Authority upon delivery.",
    "The Authority may publish the software under the European Union Public Licence (EUPL-1.2).",
    "Documents shall be delivered in OpenDocument Format (ISO/IEC 26300) or PDF/A.",
    "The Contractor shall provide an exit plan within three months of the start of the contract and keep it up to date.",
    "Interfaces shall be documented and based on open standards; the Authority may share the specifications with third parties.",
    "Personal data shall be processed in accordance with the General Data Protection Regulation.",
    "The tenderer shall describe its quality management approach, its staffing plan and the qualifications of key personnel.",
    "Invoices shall be submitted electronically and paid within thirty days of receipt.",
    "The service desk shall be available on working days between 08:00 and 18:00 and respond to priority 1 incidents within one hour.",
]
PROBLEM = [
    "All intellectual property rights in the Deliverables shall remain with the Contractor.",
    "The solution must be based on Microsoft SharePoint and Oracle Database.",
    "Reports shall be delivered in Microsoft Word format.",
    "The licence is non-transferable and limited to the Authority's internal use.",
    "Licence fees are charged per named user and per processor core.",
    "Only the Contractor may modify the software; modifications by third parties void the warranty.",
    "The agreement renews automatically for successive periods unless terminated with twelve months' notice.",
    "The source code constitutes Confidential Information of the Contractor.",
]
HEADINGS = ["General provisions", "Scope of services", "Requirements", "Intellectual property",
            "Licensing", "Service levels", "Security", "Data protection", "Exit and reversibility",
            "Maintenance", "Acceptance", "Payment", "Liability", "Termination"]


def tender(sections, rnd):
    lines = ["# Call for tenders: integrated municipal information system", ""]
    for s in range(1, sections + 1):
        lines += [f"## {s} {rnd.choice(HEADINGS)}", ""]
        for c in range(1, 9):
            para = " ".join(rnd.choice(CLEAN) for _ in range(rnd.randint(2, 4)))
            if rnd.random() < 0.15:
                para += " " + rnd.choice(PROBLEM)
            lines += [f"{s}.{c} {para}", ""]
        if s % 5 == 0:
            lines += ["| Component | Licence | Notes |", "|---|---|---|"]
            for i in range(6):
                lines.append(f"| Module {s}-{i} | EUPL-1.2 | {rnd.choice(CLEAN)} |")
            lines.append("")
        if s % 3 == 0:
            lines += [f"- {rnd.choice(CLEAN)}" for _ in range(4)] + [""]
    return "\n".join(lines) + "\n"


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def to_pdf(src, outdir):
    run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", outdir, src])


def main():
    for tool in ("pandoc", "soffice"):
        if shutil.which(tool) is None:
            sys.exit(f"bench/gen_corpus.py: {tool} is not installed (apt-get install pandoc libreoffice-writer-nogui)")
    rnd = random.Random(20261129)
    os.makedirs(os.path.join(OUT, "mixed"), exist_ok=True)
    big = os.path.join(OUT, "tender-300p.md")
    with open(big, "w") as f:
        f.write(tender(235, rnd))
    run(["pandoc", big, "-o", big[:-3] + ".docx"])
    to_pdf(big[:-3] + ".docx", OUT)
    mid = os.path.join(OUT, "tender-100p.md")
    with open(mid, "w") as f:
        f.write(tender(78, rnd))
    run(["pandoc", mid, "-o", mid[:-3] + ".docx"])
    # 200 mixed documents: 80 text/markdown, 80 DOCX, 40 PDF.
    small_docx = []
    for i in range(200):
        md = tender(rnd.randint(2, 6), rnd)
        base = os.path.join(OUT, "mixed", f"doc-{i:03}")
        kind = "md" if i < 40 else "txt" if i < 80 else "docx" if i < 160 else "pdf"
        if kind in ("md", "txt"):
            with open(f"{base}.{kind}", "w") as f:
                f.write(md)
            continue
        with open(base + ".md", "w") as f:
            f.write(md)
        run(["pandoc", base + ".md", "-o", base + ".docx"])
        os.remove(base + ".md")
        if kind == "pdf":
            small_docx.append(base + ".docx")
    # One LibreOffice start for all PDFs.
    if small_docx:
        run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", os.path.join(OUT, "mixed")] + small_docx)
        for d in small_docx:
            os.remove(d)
    print(OUT)


if __name__ == "__main__":
    main()

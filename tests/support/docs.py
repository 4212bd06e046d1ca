"""Test-file generators: real PDFs (reportlab), DOCX (python-docx), HTML, Markdown, latin-1 text, and bad files.

Shared by the loader, chunker and pipeline tests. Every generator writes a file at `path` and returns it.
Nothing here is a fake: the files are what a user would drop into corpus/.
"""

from __future__ import annotations

import io
import random
import textwrap
import zipfile
from pathlib import Path

# ---- text content -------------------------------------------------------------------------------

FILLER = (
    "The competent authorities shall cooperate closely and exchange information on the persons, "
    "institutions and procedures concerned, subject to the safeguards laid down in national law. "
    "Each State Party shall keep records sufficient to trace every organ from donor to recipient. "
)


def legal_pages() -> list[list[str]]:
    """A three-page convention: Chapter I, Articles 1-5; Article 3 (definitions, ~230 words) starts on page 1
    and ends on page 2, long enough to need two chunks."""
    p1 = [
        "Convention on the Protection of Example Persons",
        "Chapter I",
        "Purpose, scope and definitions",
        "Article 1",
        "Purpose",
        "1. The purpose of this Convention is to prevent and combat the illicit removal of example organs.",
        "2. Each Party shall adopt the measures necessary to give effect to this Convention.",
        "Article 2",
        "Scope",
        "This Convention applies to the illicit removal and implantation of organs, whether or not committed",
        "by an organised criminal group, and to all related preparatory acts.",
        "Article 3",
        "Definitions",
        "For the purposes of this Convention the term human organ means a differentiated part of the",
        "human body, formed by different tissues, that maintains its structure, vascularisation and",
        "capacity to develop physiological functions with a significant level of autonomy.",
    ]
    p2 = [
        "The term removal means the taking of an organ for the purpose of implantation, and the term",
        "implantation means the placing of an organ in the body of a living person. These definitions",
        "apply to every Article of this Convention without exception.",
        "The term donor means a living or deceased person from whom an organ is removed, and the term",
        "recipient means a living person in whose body an organ is implanted for a therapeutic purpose.",
        "The term competent authority means the body designated by a Party to license and supervise the",
        "removal, storage, allocation and implantation of organs within its territory.",
        "The term financial gain means any payment, reward or comparable advantage given or received in",
        "exchange for an organ, other than the reimbursement of reasonable expenses and loss of earnings.",
        "The term transplant centre means any hospital, clinic or other facility in which removals or",
        "implantations are performed under the authority of a licence granted by the competent authority.",
        "Article 4",
        "Illicit removal of human organs",
        "1. Each Party shall establish as a criminal offence under its domestic law, when committed",
        "intentionally, the removal of human organs from living or deceased donors where the removal",
        "is performed without the free, informed and specific consent of the donor.",
        "2. Each Party shall ensure that the offence is punishable by effective sanctions.",
    ]
    p3 = [
        "Chapter II",
        "Final provisions",
        "Article 5",
        "Signature and entry into force",
        "This Convention shall be open for signature by the member States and shall enter into force on",
        "the first day of the month following the expiration of a period of three months.",
    ]
    return [p1, p2, p3]


def long_legal_text(articles: int = 12, seed: int = 7) -> str:
    """A long statute in plain text: Parts, Sections with (1)(2) subsections, (a)(b) items, and one
    very long sentence per Part, so the chunker must split within sections and within sentences."""
    rng = random.Random(seed)
    words = ("transplant donor recipient licence authority consent register offence penalty hospital "
             "practitioner deceased living payment reward advertisement registration approval scheme "
             "pseudonymisation cryptographically interoperability intergovernmental").split()
    out = ["HUMAN ORGANS (EXAMPLE) ACT", ""]
    n = 1
    for part in range(1, 4):
        out += [f"Part {part}", "", f"General provisions of Part {part}", ""]
        for _ in range(articles // 3):
            out.append(f"Section {n}")
            out.append("")
            for sub in range(1, 4):
                sentence = " ".join(rng.choice(words) for _ in range(rng.randint(25, 60)))
                out.append(f"({sub}) A person commits an offence if that person, {sentence}.")
                out.append(f"(a) gives or receives a reward for the supply of an organ under section {n}({sub});")
                out.append(f"(b) {FILLER.strip()}")
                out.append("")
            n += 1
        run_on = ", ".join(" ".join(rng.choice(words) for _ in range(8)) for _ in range(70))
        out += [f"Section {n}", "", f"(1) {run_on}.", ""]
        n += 1
    out += ["Schedule 1", "", "Consequential amendments", "", FILLER * 6]
    return "\n".join(out)


# ---- good files ---------------------------------------------------------------------------------


def make_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    """A real PDF with one text line per entry (long entries are wrapped)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    _, height = A4
    for lines in pages:
        y = height - 60
        c.setFont("Helvetica", 10)
        for line in lines:
            for piece in textwrap.wrap(line, 100) or [""]:
                c.drawString(50, y, piece)
                y -= 14
                if y < 50:
                    c.showPage()
                    c.setFont("Helvetica", 10)
                    y = height - 60
        c.showPage()
    c.save()
    return path


def legal_pdf(path: Path) -> Path:
    return make_pdf(path, legal_pages(), title="Convention on the Protection of Example Persons")


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A 'scan': pages with drawings and no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for i in range(pages):
        for k in range(20):
            c.rect(40 + k * 5, 700 - k * 30, 400 - k * 10, 12, fill=1)
        c.circle(300, 200, 50 + i * 10)
        c.showPage()
    c.save()
    return path


def encrypted_pdf(path: Path, password: str = "s3cret") -> Path:
    from pypdf import PdfReader, PdfWriter

    buf = io.BytesIO()
    make_pdf(path, [["A secret text that cannot be read without the password."]])
    writer = PdfWriter(clone_from=PdfReader(str(path)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path


def truncated_pdf(path: Path) -> Path:
    legal_pdf(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def make_docx(path: Path) -> Path:
    """Title, Heading 1/2 styles, paragraphs and a table."""
    import docx

    d = docx.Document()
    d.core_properties.title = "Guidance on Example Donation"
    d.add_heading("Guidance on Example Donation", level=0)
    d.add_heading("Introduction", level=1)
    d.add_paragraph("This guidance explains how donation should be recorded by every hospital.")
    d.add_paragraph("It applies to living and deceased donation alike.")
    d.add_heading("Consent requirements", level=2)
    d.add_paragraph("Consent must be free, informed and specific, and it must be recorded in writing.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Donor type"
    table.cell(0, 1).text = "Consent form"
    table.cell(1, 0).text = "Living donor"
    table.cell(1, 1).text = "Form LD-1"
    d.add_heading("Records", level=1)
    d.add_paragraph("Records are kept for thirty years after the transplant.")
    d.save(str(path))
    return path


HTML = """<!DOCTYPE html>
<html><head><title>Guiding Principles on Example Transplantation</title>
<style>body { color: red; } .nav { display: none; }</style>
<script>var tracking = "SHOULD-NOT-APPEAR"; function f() { return 1; }</script></head>
<body>
<header><a href="/">Home</a> | SITE-HEADER-TEXT</header>
<nav><ul><li>NAV-LINK-ONE</li><li>NAV-LINK-TWO</li></ul></nav>
<main>
<h1>Guiding Principles on Example Transplantation</h1>
<p>These principles provide an orderly, ethical framework for the acquisition of cells, tissues and organs.</p>
<h2>Guiding Principle 1</h2>
<p>Cells, tissues and organs may be removed from deceased persons for the purpose of transplantation
if any consent required by law is obtained, and there is no reason to believe that the deceased person objected.</p>
<h2>Guiding Principle 5</h2>
<p>Cells, tissues and organs should only be donated freely, without any monetary payment or other reward of monetary value.</p>
<ul><li>Payment is prohibited.</li><li>Reimbursement of costs is allowed.</li></ul>
<script>document.write("ALSO-NOT-APPEAR")</script>
</main>
<footer>SITE-FOOTER-TEXT &copy; 2024</footer>
</body></html>
"""


def make_html(path: Path) -> Path:
    path.write_text(HTML, encoding="utf-8")
    return path


MARKDOWN = """# Example Transplant Policy

An introduction paragraph with **bold** text and a [link](https://example.org/policy).

## Section 1: Scope

This policy applies to every *licensed* transplant centre.

- first item of a list
- second item of a list

## Section 2: Consent

### Living donors

Living donors must give written consent.

```
code block kept as text
```
"""


def make_markdown(path: Path) -> Path:
    path.write_text(MARKDOWN, encoding="utf-8")
    return path


LATIN1 = (
    "Convention relative à la coopération\n\n"
    "Article 1\n\n"
    "Les États parties coopèrent à la prévention du trafic d'organes humains; la sécurité des "
    "donneurs et des receveurs est garantie. Naïveté, façade, œuvre mise à part.\n"
)


def latin1_text(path: Path) -> Path:
    path.write_bytes(LATIN1.replace("œ", "oe").encode("latin-1"))
    return path


# ---- bad files ----------------------------------------------------------------------------------


def random_bytes(n: int = 4096, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(n)


def binary_file(path: Path, n: int = 4096) -> Path:
    """Random bytes under whatever name `path` has (e.g. report.pdf, memo.docx, page.html)."""
    path.write_bytes(random_bytes(n))
    return path


def zip_not_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "a zip archive, but not a Word document")
    return path


def html_only_scripts(path: Path) -> Path:
    path.write_text("<html><head><script>var a = 1;</script><style>p{}</style></head>"
                    "<body><script>alert('x')</script><nav>Home</nav></body></html>", encoding="utf-8")
    return path


def nul_text(path: Path) -> Path:
    path.write_bytes(b"Some text\x00\x00\x00 with NUL bytes\x00 in the middle\x00\x01\x02 of it.\n" * 20)
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def corrupt_pdf(path: Path) -> Path:
    """Starts and ends like a PDF; garbage in between."""
    path.write_bytes(b"%PDF-1.7\n" + random_bytes() + b"\n%%EOF\n")
    return path


def truncated_docx(path: Path) -> Path:
    make_docx(path)
    path.write_bytes(path.read_bytes()[:2000])
    return path

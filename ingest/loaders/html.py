"""HTML: readable text without scripts, styles, navigation, headers or footers; h1-h6 kept as headings."""

from __future__ import annotations

import warnings

from ingest.loaders._text import Extracted, TextBuilder, inline, looks_binary
from lexcite.errors import LoaderError

DROP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "svg", "canvas",
        "iframe", "object", "embed", "form", "button", "select", "head", "meta", "link"}
_BR = "\x1e"  # stands for <br>; source newlines in HTML are just spaces
HEADINGS = {f"h{i}": i for i in range(1, 7)}
BLOCKS = {"p", "div", "section", "article", "main", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
          "pre", "figure", "figcaption", "caption", "address", "hr", "body", "html", "table", "thead",
          "tbody", "tfoot", "center", "details", "summary"}


def read_html(data: bytes, source: str) -> Extracted:
    if looks_binary(data) and not data.lstrip().startswith((b"<", b"\xef\xbb\xbf<")):
        raise LoaderError(source, "is not an HTML file: it contains binary data; "
                                  "rename it to its real extension or save the page again as HTML")
    from bs4 import BeautifulSoup, Comment, Doctype, NavigableString
    from bs4.element import CData, Declaration, ProcessingInstruction

    skip_strings = (Comment, Doctype, CData, Declaration, ProcessingInstruction)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(data, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    b = TextBuilder()
    buf: list[str] = []

    def flush() -> None:
        text = "\n".join(inline(part) for part in "".join(buf).split(_BR))
        buf.clear()
        b.block(text)

    # An explicit stack instead of recursion: a page nested 100,000 levels deep is read like any other.
    _FLUSH = object()
    stack: list = [iter(soup.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if child is _FLUSH:
            flush()
            continue
        if isinstance(child, skip_strings):
            continue
        if isinstance(child, NavigableString):
            buf.append(str(child))
            continue
        name = (child.name or "").lower()
        if name in DROP:
            continue
        if name in HEADINGS:
            flush()
            b.heading(child.get_text(" ", strip=True), HEADINGS[name])
        elif name == "br":
            buf.append(_BR)
        elif name == "tr":
            flush()
            cells = [inline(c.get_text(" ", strip=True)) for c in child.find_all(["td", "th"])]
            b.block(" | ".join(c for c in cells if c))
        elif name in BLOCKS:
            flush()
            stack.append(iter((*child.children, _FLUSH)))
        else:
            stack.append(iter(child.children))
    flush()
    out = b.build(title)
    if not out.title and out.headings:
        first_h1 = next((h for h in out.headings if h.level == 1), out.headings[0])
        out.title = first_h1.text
    return out

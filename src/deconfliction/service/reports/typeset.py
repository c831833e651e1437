"""The report document typeset as HTML and as PDF (Typst, with the fonts it ships: the same
bytes on every machine with the same version)."""

from __future__ import annotations

import html
from pathlib import Path

from deconfliction.service.reports.document import (
    Document,
    FigureBlock,
    Paragraph,
    Section,
    TableBlock,
)

__all__ = ["to_html", "to_pdf", "to_typst"]

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; max-width: 60em;
       margin: 2em auto; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; }
p.sub { color: #555; margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.n { text-align: right; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption, .src { font-size: 0.85em; color: #555; }
.annex dt { font-weight: bold; margin-top: 0.4em; } .annex dd { font-family: monospace; margin-left: 1em; }
code { background: #f6f6f6; padding: 0 0.2em; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_block(block: Paragraph | TableBlock | FigureBlock) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_e(block.text)}</p>"
    if isinstance(block, FigureBlock):
        return (
            f'<figure><img src="{_e(block.file)}" alt="{_e(block.caption)}">'
            f'<figcaption>{_e(block.caption)} <a href="#{block.source}">Entries counted</a>.'
            "</figcaption></figure>"
        )
    if not block.rows:
        return f'<p>None. <a class="src" href="#{block.source}">Entries read</a></p>'
    head = "".join(f"<th>{_e(c)}</th>" for c in block.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in block.rows
    )
    more = f" {block.more} more rows are in report.json." if block.more else ""
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f'<p class="src"><a href="#{block.source}">Entries counted</a>.{more}</p>'
    )


def _html_section(section: Section) -> str:
    blocks = "\n".join(_html_block(b) for b in section.blocks)
    return f'<section id="{section.anchor}"><h2>{_e(section.title)}</h2>\n{blocks}</section>'


def to_html(document: Document) -> bytes:
    subtitle = "".join(f'<p class="sub">{_e(s)}</p>' for s in document.subtitle)
    rows = "".join(
        f"<tr><td>{_e(r.label)}</td>"
        f'<td class="n"><a href="#{r.source}">{_e(r.value)}</a></td>'
        f'<td class="n">{_e(r.previous)}</td><td class="n">{_e(r.change)}</td></tr>'
        for r in document.summary
    )
    summary = (
        '<section id="summary"><h2>Summary</h2><table><thead><tr><th>figure</th><th>this day'
        "</th><th>day before</th><th>change</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )
    annex = "".join(
        f'<dt id="{a.source}">{_e(a.label)} ({a.count} entries)</dt><dd>{_e(a.listed)}</dd>'
        for a in document.annex
    )
    check = "".join(f"<pre><code>{_e(c)}</code></pre>" for c in document.check)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(document.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(document.title)}</h1>{subtitle}{summary}\n"
        + "\n".join(_html_section(s) for s in document.sections)
        + '\n<section class="annex" id="annex"><h2>Annex: the entries behind each figure</h2>'
        "<p>Indexes of ledger entries (fetch one with <code>GET /v1/ledger/entries/{index}</code>"
        "); recompute every figure offline with:</p>"
        f"{check}<dl>{annex}</dl></section></body></html>\n"
    )
    return page.encode("utf-8")


def _t(text: str) -> str:
    """A Typst string literal: inserted as text, nothing in it read as markup."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_block(block: Paragraph | TableBlock | FigureBlock) -> str:
    if isinstance(block, Paragraph):
        return f"#par({_t(block.text)})\n"
    if isinstance(block, FigureBlock):
        return (
            f"#figure(image({_t(block.file)}, width: 100%), caption: [#{_t(block.caption)} "
            f"#link(<{block.source}>)[Entries counted.]])\n"
        )
    if not block.rows:
        return f"None. #link(<{block.source}>)[Entries read.]\n"
    cells = ", ".join(f"[*#{_t(c)}*]" for c in block.columns)
    body = ", ".join(_t(c) for row in block.rows for c in row)
    more = f" {block.more} more rows are in report.json." if block.more else ""
    return (
        f"#text(size: 7.5pt, table(columns: {len(block.columns)}, inset: 3pt, "
        f"table.header({cells}), {body}))\n"
        f"#text(size: 8pt)[#link(<{block.source}>)[Entries counted.]#{_t(more)}]\n"
    )


def to_typst(document: Document) -> str:
    out = [
        f"#set document(title: {_t(document.title)}, date: none)\n",
        '#set page(paper: "a4", margin: (x: 1.8cm, y: 1.8cm), numbering: "1 / 1")\n',
        '#set text(font: "Libertinus Serif", size: 10pt, lang: "en")\n',
        '#show link: set text(fill: rgb("#1f4e79"))\n',
        f'#text(size: 18pt, weight: "bold")[#{_t(document.title)}]\n\n',
    ]
    out.extend(f"#text(size: 9pt)[#{_t(s)}]\n\n" for s in document.subtitle)
    out.append("= Summary\n")
    rows = ", ".join(
        f"{_t(r.label)}, link(<{r.source}>)[#{_t(r.value)}], {_t(r.previous)}, {_t(r.change)}"
        for r in document.summary
    )
    out.append(
        "#text(size: 8.5pt, table(columns: (auto, auto, auto, auto), inset: 3pt, "
        "align: (left, right, right, right), "
        f"table.header([*figure*], [*this day*], [*day before*], [*change*]), {rows}))\n"
    )
    for section in document.sections:
        out.append(f"= #{_t(section.title)}\n")
        out.extend(_typst_block(b) for b in section.blocks)
    out.append("#pagebreak()\n= Annex: the entries behind each figure\n")
    out.append("#par([Indexes of ledger entries; recompute every figure offline with:])\n")
    out.extend(f"#raw({_t(c)}, block: true)\n" for c in document.check)
    for a in document.annex:
        out.append(
            f'#block(breakable: true)[#text(weight: "bold", size: 8.5pt)[#{_t(a.label)} '
            f"({a.count} entries)]\n"
            f'#text(font: "DejaVu Sans Mono", size: 7pt)[#{_t(a.listed)}]] <{a.source}>\n'
        )
    return "".join(out)


def to_pdf(document: Document, root: Path) -> bytes:
    """The PDF, its images read from ``root`` (where the SVG figures were written)."""
    import typst  # the report only: other commands should not pay for importing it

    source = to_typst(document).encode("utf-8")
    # The stub binds input and root to one type; the binding takes source bytes and a path.
    pdf = typst.compile(source, output=None, root=str(root), ignore_system_fonts=True)  # type: ignore[type-var]
    if not isinstance(pdf, bytes):
        raise TypeError("typst gave no PDF")
    return pdf

"""A tiny document model rendered to Markdown and to self-contained HTML.

The briefing is built once as a list of blocks and rendered twice, so the two formats
cannot disagree. Every piece of text is escaped for the format it goes into (scenario
names and descriptions are user input); figures are embedded in the HTML as data URIs
so the file works offline and on its own.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Link:
    """A hyperlink inside a paragraph or table cell."""

    text: str
    url: str


@dataclass(frozen=True)
class Strong:
    """Bold text."""

    text: str


Inline = str | Link | Strong


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    parts: tuple[Inline, ...]

    @classmethod
    def of(cls, *parts: Inline) -> Para:
        return cls(tuple(parts))


@dataclass(frozen=True)
class Bullets:
    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str, ...] = ()  # "l" or "r" per column


@dataclass(frozen=True)
class Figure:
    path: Path  # relative to the report folder
    caption: str
    png: bytes = field(repr=False, default=b"")


Block = Heading | Para | Bullets | Table | Figure


# -- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def _md_text(text: str) -> str:
    return text.translate(_MD_SPECIAL)


def _md_inline(part: Inline) -> str:
    if isinstance(part, Link):
        return f"[{_md_text(part.text)}](<{part.url.replace('>', '%3E')}>)"
    if isinstance(part, Strong):
        return f"**{_md_text(part.text)}**"
    return _md_text(part)


def to_markdown(title: str, blocks: list[Block]) -> str:
    """Render to GitHub-flavoured Markdown (figures as relative image links)."""
    out = [f"# {_md_text(title)}", ""]
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * (b.level + 1) + " " + _md_text(b.text), ""]
        elif isinstance(b, Para):
            out += ["".join(_md_inline(p) for p in b.parts), ""]
        elif isinstance(b, Bullets):
            out += ["- " + "".join(_md_inline(p) for p in item) for item in b.items] + [""]
        elif isinstance(b, Table):
            align = b.align or ("l",) * len(b.header)
            out.append("| " + " | ".join(_md_text(h) for h in b.header) + " |")
            out.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
            for row in b.rows:
                cells = [_md_inline(c).replace("\n", " ") for c in row]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        elif isinstance(b, Figure):
            out += [
                f"![{_md_text(b.caption)}]({b.path.as_posix()})",
                "",
                f"*{_md_text(b.caption)}*",
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.8rem;border-bottom:2px solid #333;padding-bottom:.3rem}
h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
h3{font-size:1.1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;vertical-align:top}
th{background:#f2f2f2;text-align:left}
td.r{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5rem 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9rem;color:#444}
.answer{background:#f5f8ff;border-left:4px solid #2b6cb0;padding:.6rem 1rem}
"""


def _html_inline(part: Inline) -> str:
    if isinstance(part, Link):
        return f'<a href="{html.escape(part.url, quote=True)}">{html.escape(part.text)}</a>'
    if isinstance(part, Strong):
        return f"<strong>{html.escape(part.text)}</strong>"
    return html.escape(part)


def to_html(title: str, blocks: list[Block], answer_first: bool = True) -> str:
    """Render to one self-contained HTML page (figures embedded, no external resources)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    first_para = answer_first
    for b in blocks:
        if isinstance(b, Heading):
            tag = f"h{min(b.level + 1, 6)}"
            anchor = f' id="{html.escape(b.anchor, quote=True)}"' if b.anchor else ""
            out.append(f"<{tag}{anchor}>{html.escape(b.text)}</{tag}>")
        elif isinstance(b, Para):
            cls = ' class="answer"' if first_para else ""
            first_para = False
            out.append(f"<p{cls}>" + "".join(_html_inline(p) for p in b.parts) + "</p>")
        elif isinstance(b, Bullets):
            items = "".join(
                "<li>" + "".join(_html_inline(p) for p in it) + "</li>" for it in b.items
            )
            out.append(f"<ul>{items}</ul>")
        elif isinstance(b, Table):
            align = b.align or ("l",) * len(b.header)
            head = "".join(f"<th>{html.escape(h)}</th>" for h in b.header)
            body = []
            for row in b.rows:
                cells = "".join(
                    f'<td class="{a}">' + _html_inline(c) + "</td>"
                    for c, a in zip(row, align, strict=True)
                )
                body.append(f"<tr>{cells}</tr>")
            out.append(
                f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            )
        elif isinstance(b, Figure):
            data = base64.b64encode(b.png).decode("ascii")
            out.append(
                f'<figure><img alt="{html.escape(b.caption, quote=True)}" '
                f'src="data:image/png;base64,{data}"><figcaption>{html.escape(b.caption)}'
                "</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"

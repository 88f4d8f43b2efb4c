"""The A4 pages the briefing (``landtool impact``) and the proposal (``landtool propose``)
share: the first language's words with the other's beside them in grey, the same styles and
tables, a footer naming what the document is about on every page, and page numbers in both
languages."""

from __future__ import annotations

from pathlib import Path

from landtool.export.report import FONT, FONT_BOLD, _e, check_lang, register_fonts


class BilingualPdf:
    """``text`` holds the words by language (each with ``title`` and ``page``)."""

    def __init__(self, text: dict, lang: str):
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        check_lang(lang)
        register_fonts()
        self.lang, self.other = lang, ("en" if lang == "mn" else "mn")
        self.t, self.o = text[lang], text[self.other]
        body = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11, spaceAfter=3)
        self.body = body
        self.small = ParagraphStyle("small", parent=body, fontSize=7, leading=9,
                                    textColor=colors.HexColor("#444444"))
        self.cell = ParagraphStyle("cell", parent=body, fontSize=7.4, leading=9.1,
                                   spaceAfter=0)
        self.h1 = ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=14,
                                 leading=18)
        self.h2 = ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=10.5,
                                 leading=13, spaceBefore=6)
        self.warn = ParagraphStyle("warn", parent=body, fontName=FONT_BOLD,
                                   textColor=colors.HexColor("#b00020"))
        self.mono = ParagraphStyle("mono", parent=body, fontSize=6.8, leading=8.2)

    def both(self, key: str, **kw) -> str:
        """The first language's words, then the other's in grey."""
        return (f"{_e(self.t[key].format(**kw))} <font size=7 color='#555555'>/ "
                f"{_e(self.o[key].format(**kw))}</font>")

    def table(self, rows, widths_mm, *, header: bool = True):
        """A table whose text cells are paragraphs (they wrap), a grey header row."""
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        rows = [[Paragraph(c, self.cell) if isinstance(c, str) else c for c in row]
                for row in rows]
        tab = Table(rows, colWidths=[w * mm for w in widths_mm], hAlign="LEFT",
                    repeatRows=1 if header else 0)
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
                 ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")))
        tab.setStyle(TableStyle(style))
        return tab

    def heading(self) -> list:
        """The title in the first language, then in the other."""
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Spacer

        return [Paragraph(_e(self.t["title"]), self.h1), Paragraph(_e(self.o["title"]),
                                                                   self.small),
                Spacer(1, 2 * mm)]

    def build(self, story: list, out: str | Path, footer: str) -> Path:
        """Write the pages (not atomic: the callers give a temporary path)."""
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        t, o = self.t, self.o

        def on_page(canvas, doc):
            canvas.saveState()
            canvas.setFont(FONT, 7)
            canvas.setFillColor(colors.HexColor("#555555"))
            canvas.drawString(18 * mm, 10 * mm, footer)
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{t['page'].format(n=doc.page)}"
                                   f" / {o['page'].format(n=doc.page)}")
            canvas.restoreState()

        pdf = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                topMargin=15 * mm, bottomMargin=17 * mm, title=t["title"],
                                author="landtool")
        pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return Path(out)


def figure_png(fig) -> bytes:
    """A matplotlib figure, laid out tight, as PNG bytes (the figure is closed)."""
    import io

    from matplotlib import pyplot as plt

    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()

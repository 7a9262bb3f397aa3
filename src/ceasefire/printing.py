"""A working group's document copy as PDF, to print and sign: its title and text with its
audience's names, the signatory blocks it carries (with the signatures recorded), and the
SHA-256 of the shared substance at the foot of every page.

The font is DejaVu Sans, shipped with the package (it covers Latin with Azerbaijani letters,
Cyrillic and Armenian), so that nothing is fetched or looked up on the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

FONTS = Path(__file__).parent / "web" / "static" / "fonts"


def add_fonts(pdf: FPDF) -> None:
    """DejaVu Sans, regular and bold, as "DejaVu"."""
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))


class _Copy(FPDF):
    def __init__(self, digest: str, label: str) -> None:
        super().__init__(format="A4")
        self.digest, self.label = digest, label
        add_fonts(self)
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=22)

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 4, f"SHA-256: {self.digest}", align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"{self.label} · {self.page_no()}/{{nb}}", align="C")


def copy_pdf(copy: dict[str, Any]) -> bytes:
    """The PDF of one mirrored copy (as `services.documents.mirrored_copy` gives it)."""
    pdf = _Copy(copy["substance_sha256"], copy["copy_label"])
    pdf.set_title(copy["title"])
    pdf.set_lang(copy["language"])
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, copy["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 11)
    for paragraph in copy["text"].split("\n\n"):
        pdf.multi_cell(0, 5.5, paragraph.strip(), align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(10)
    for block in copy["signatory_blocks"]:
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(0, 5, block["name"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        signed = block["signatures"]
        for signature in signed:
            line = f"{signature['signed_by']} · {signature['signed_at'][:10]}"
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        if not signed:
            pdf.cell(0, 8, "_" * 32, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, f"SHA-256: {copy['substance_sha256']}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

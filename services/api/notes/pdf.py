"""A signed visit note as a PDF (fpdf2, pure Python; the core Helvetica font)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.api.notes.schemas import NoteRead

MODALITY_TEXT = {"video": "Video visit", "audio_only": "Audio-only visit", "in_person": "In person"}
PLACE_TEXT = {"02": "02 (telehealth, not at home)", "10": "10 (telehealth, patient at home)", "11": "11 (office)"}

# The core PDF fonts cover Latin-1 (English and Spanish); other characters are spelled out or replaced.
_REPLACEMENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2022": "-",
        "\u00a0": " ",
        "\u2082": "2",
    }
)


def latin1(text: str) -> str:
    return text.translate(_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")


class _NotePdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 5, latin1(f"{self.footer_text}   Page {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)


def render_note(note: NoteRead, *, practice_name: str, patient_name: str, date_of_birth: date, zone: ZoneInfo) -> bytes:
    def when(value: datetime) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    pdf = _NotePdf(format="Letter")
    pdf.footer_text = f"Confidential health information - {patient_name} - note {note.id}"
    pdf.set_title(latin1(f"{note.title} - {patient_name}"))
    pdf.set_author(latin1(note.signer_name or ""))
    pdf.set_creator(latin1(practice_name))
    if note.signed_at is not None:
        pdf.set_creation_date(note.signed_at)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    def heading(text: str, size: int = 12) -> None:
        pdf.set_font("Helvetica", style="B", size=size)
        pdf.multi_cell(0, size * 0.55, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def body(text: str) -> None:
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, latin1(text.rstrip() or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    heading(practice_name, 14)
    heading(note.title, 12)
    body(
        "\n".join(
            [
                f"Patient: {patient_name}    Date of birth: {date_of_birth.isoformat()}",
                f"Visit: {when(note.visit_at)}    {MODALITY_TEXT.get(note.modality, note.modality)}",
                f"Place of service: {PLACE_TEXT.get(note.place_of_service, note.place_of_service)}",
            ]
            + ([f"Consult: {note.consult_id}"] if note.consult_id else [])
        )
    )
    for label, text in (
        ("Subjective", note.subjective),
        ("Objective", note.objective),
        ("Assessment", note.assessment),
        ("Plan", note.plan),
    ):
        heading(label, 11)
        body(text)
    heading("Diagnoses (ICD-10)", 11)
    body("\n".join(f"{d.code}  {d.description}" for d in note.diagnoses))
    heading("Billing (CPT)", 11)
    body(
        "\n".join(
            f"{line.code}{''.join('-' + m for m in line.modifiers)}  POS {line.place_of_service}  {line.description}"
            for line in note.billing
        )
    )
    heading("Signature", 11)
    body(
        f"Electronically signed by {note.signer_name} on {when(note.signed_at) if note.signed_at else '-'}.\n"
        f"Content hash (SHA-256): {note.content_hash}"
    )
    for i, addendum in enumerate(note.addenda, start=1):
        heading(f"Addendum {i}", 11)
        body(
            f"{addendum.text}\n\nSigned by {addendum.author_name} on {when(addendum.signed_at)}.\n"
            f"Content hash (SHA-256): {addendum.content_hash}"
        )
    return bytes(pdf.output())

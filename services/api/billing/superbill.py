"""A superbill as a PDF (fpdf2, the core Helvetica font): what a patient sends their insurer
to claim out-of-network reimbursement, one page section per date of service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

PLACE_TEXT = {
    "02": "02 - telehealth, patient not at home",
    "10": "10 - telehealth, patient at home",
    "11": "11 - office",
}
MODIFIER_TEXT = {"95": "95 - synchronous telemedicine (video)", "93": "93 - audio-only telemedicine"}
POINTERS = "ABCDEFGHIJKL"  # diagnosis pointers, as on a CMS-1500 claim


def money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    amount = f"{sign}{whole:,}.{part:02d}"
    return f"${amount}" if currency.lower() == "usd" else f"{amount} {currency.upper()}"


@dataclass(frozen=True, slots=True)
class Practice:
    name: str
    address: str
    phone: str
    npi: str
    tax_id: str


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    credentials: str
    npi: str | None
    license_state: str
    license_number: str | None

    @property
    def signature_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True, slots=True)
class BillPatient:
    patient_id: uuid.UUID
    name: str
    date_of_birth: date
    state: str
    time_zone: str


@dataclass(frozen=True, slots=True)
class ServiceLine:
    code: str
    modifiers: list[str]
    place_of_service: str
    description: str


@dataclass(frozen=True, slots=True)
class BillVisit:
    booking_id: uuid.UUID
    date_of_service: datetime  # in the patient's zone
    visit_type: str
    provider: Provider
    diagnoses: list[tuple[str, str]]  # (ICD-10 code, description)
    lines: list[ServiceLine]
    charged_cents: int
    paid_cents: int
    refunded_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class Superbill:
    practice: Practice
    patient: BillPatient
    visits: list[BillVisit]
    issued_on: date
    period: tuple[date, date] | None = None  # the range form; None for one visit
    left_out: int = 0  # visits in the range without a signed note
    currencies: list[str] = field(default_factory=lambda: ["usd"])


def render_superbill(bill: Superbill) -> bytes:
    # fpdf loads only when a PDF is asked for (as for signed notes).
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from services.api.notes.pdf import latin1

    class _BillPdf(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.set_text_color(110)
            self.cell(0, 5, latin1(f"{self.footer_text}   Page {self.page_no()}/{{nb}}"), align="C")
            self.set_text_color(0)

    pdf = _BillPdf(format="Letter")
    pdf.footer_text = f"Superbill - {bill.patient.name} - confidential health information"
    pdf.set_title(latin1(f"Superbill - {bill.patient.name}"))
    pdf.set_author(latin1(bill.practice.name))
    pdf.set_creator(latin1(bill.practice.name))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    def heading(text: str, size: int = 11) -> None:
        pdf.set_font("Helvetica", style="B", size=size)
        pdf.multi_cell(0, size * 0.55, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def body(lines: list[str]) -> None:
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, latin1("\n".join(lines) or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    practice, patient = bill.practice, bill.patient
    heading("SUPERBILL", 16)
    body(["Statement of services for insurance reimbursement", f"Issued: {bill.issued_on.isoformat()}"])

    heading("Practice")
    body(
        [
            practice.name,
            practice.address,
            f"Phone: {practice.phone}",
            f"Practice NPI: {practice.npi or 'not on file'}    Tax ID (EIN): {practice.tax_id or 'not on file'}",
        ]
    )

    heading("Patient")
    body(
        [
            f"Name: {patient.name}    Date of birth: {patient.date_of_birth.isoformat()}",
            f"State of residence: {patient.state}    Account: {patient.patient_id}",
        ]
    )

    providers: dict[str, Provider] = {}
    for visit in bill.visits:
        providers.setdefault(visit.provider.signature_name, visit.provider)
    heading("Rendering provider" if len(providers) <= 1 else "Rendering providers")
    body(
        [
            f"{p.signature_name}    NPI: {p.npi or 'not on file'}    "
            f"Licence ({p.license_state}): {p.license_number or 'not on file'}"
            for p in providers.values()
        ]
    )

    if bill.period is not None:
        first, last = bill.period
        heading(f"Dates of service {first.isoformat()} to {last.isoformat()}")
        if not bill.visits:
            body(["No visit in this period has a signed visit note."])

    for number, visit in enumerate(bill.visits, start=1):
        when = visit.date_of_service.strftime("%Y-%m-%d %H:%M %Z")
        heading(f"Visit {number}: date of service {visit.date_of_service.date().isoformat()}", 11)
        body(
            [
                f"Time: {when}    Visit: {visit.visit_type}",
                f"Provider: {visit.provider.signature_name}    NPI: {visit.provider.npi or 'not on file'}",
                "Diagnoses (ICD-10): "
                + "; ".join(f"{POINTERS[i]}. {code} {text}".rstrip() for i, (code, text) in enumerate(visit.diagnoses)),
            ]
        )
        pointers = ",".join(POINTERS[: min(4, len(visit.diagnoses))])
        pdf.set_font("Helvetica", size=9)
        with pdf.table(
            col_widths=(22, 18, 16, 20, 16, 84),
            text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
            line_height=5,
        ) as table:
            table.row(["Date", "CPT", "Modifier", "POS", "Dx pointer", "Description"])
            for line in visit.lines:
                table.row(
                    [
                        visit.date_of_service.date().isoformat(),
                        line.code,
                        " ".join(line.modifiers) or "-",
                        line.place_of_service,
                        pointers or "-",
                        latin1(line.description),
                    ]
                )
        pdf.ln(1)
        places = sorted({line.place_of_service for line in visit.lines})
        modifiers = sorted({m for line in visit.lines for m in line.modifiers})
        body(
            [f"Place of service {PLACE_TEXT.get(p, p)}" for p in places]
            + [f"Modifier {MODIFIER_TEXT.get(m, m)}" for m in modifiers]
            + [
                f"Charged: {money(visit.charged_cents, visit.currency)}    "
                f"Paid: {money(visit.paid_cents, visit.currency)}    "
                f"Refunded: {money(visit.refunded_cents, visit.currency)}"
            ]
        )

    heading("Totals")
    totals: list[str] = []
    for currency in bill.currencies:
        mine = [v for v in bill.visits if v.currency == currency]
        charged = sum(v.charged_cents for v in mine)
        paid = sum(v.paid_cents for v in mine)
        refunded = sum(v.refunded_cents for v in mine)
        totals.append(
            f"Charged: {money(charged, currency)}    Paid: {money(paid, currency)}    "
            f"Refunded: {money(refunded, currency)}    Net paid: {money(paid - refunded, currency)}"
        )
    if bill.left_out:
        visits = "visit was" if bill.left_out == 1 else "visits were"
        totals.append(
            f"{bill.left_out} {visits} left out of this superbill because the visit note is not signed yet; "
            "ask the practice for an updated superbill once it is."
        )
    body(totals)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        latin1(
            f"Amounts paid are what {practice.name} received for these services. This is not a claim form: "
            "submit it to your insurer with their claim form."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())

"""837P/837I transaction-set parser: segments in, one `Claim` record out per CLM.

The reader hands every segment between ST and SE to :meth:`Parser.segment`. The parser
keeps only what the next claim needs: the submission header, the HL tree's nodes (billing
provider, subscriber, patient) and the claim being read. A claim is emitted as soon as it
ends (next CLM, next HL or SE), so memory does not grow with the number of claims.

Where a segment belongs is decided by the loop being read (``_loop``) and, for the
segments shared by every NM1 loop (N3, N4, REF, PER, DMG, PRV), by the party last named.
The HL tree is followed by parent ids, not by file order, because real files nest
subscribers and patients in unusual orders.
"""

from __future__ import annotations

from collections.abc import Callable

from denialscope.x12.claim837.checks import check_claim, check_line, check_node
from denialscope.x12.claim837.codes import HI_QUALIFIERS
from denialscope.x12.claim837.records import (
    Attachment,
    Claim,
    Drug,
    Line,
    LineAdjudication,
    OtherPayer,
    Party,
    Submission,
)
from denialscope.x12.claim837.segments import (
    PARTY_DETAIL,
    fill_party,
    pad,
    read_cas,
    read_dtp,
    read_hi,
    read_procedure,
    read_sv1,
    read_sv2,
    read_sv3,
)
from denialscope.x12.claim837.tree import Node, Tree
from denialscope.x12.envelope import TransactionContext

__all__ = ["Parser"]

# Loops (where the segment being read belongs).
HEADER, BILLING, SUBSCRIBER, PATIENT, OTHER_LEVEL, CLAIM, OTHER_PAYER, LINE, LINE_PAID = range(9)

# Segments of the 837 guides this parser does not keep (contract, repricing, certification,
# EPSDT, ambulance, measurement...): skipped silently. Anything else gets one info.
_SKIPPED = frozenset(
    (
        *("CUR", "CN1", "CR1", "CR2", "CR3", "CR4", "CR5", "CR6", "CR7", "CR8", "CRC", "HCP"),
        *("QTY", "MEA", "PS1", "HSD", "FRM", "LQ", "MOA", "MIA", "N2", "TOO", "DN1", "DN2"),
        *("UR", "SV4", "SV5", "SV6", "SV7", "LUI"),
    )
)
_KNOWN_KINDS = ("837P", "837I", "837D")


class Parser:
    """Reads one 837 transaction set; see the module docstring."""

    def __init__(self, ctx: TransactionContext) -> None:
        self.ctx = ctx
        self.sink = ctx.sink
        self.component = ctx.delimiters.component
        self.kind = ctx.transaction.kind
        self.submission = Submission(purpose="", claim_or_encounter="")
        self.tree = Tree(ctx)
        self._loop = HEADER
        self._node: Node | None = None
        self._party: Party | None = None  # target of N3, N4, REF, PER, DMG, PRV
        self._claim: Claim | None = None
        self._pointer_targets = 0  # diagnoses an SV107 pointer may name on this claim
        self._other: OtherPayer | None = None
        self._line: Line | None = None
        self._line_at = (0, 0)
        self._line_served = False  # the current LX already has its SV1/SV2
        self._line_dated = False  # ... and a DTP 472 (even one with a bad date)
        self._drug_open = False  # REF XZ/VY after LIN belongs to the drug
        self._paid: LineAdjudication | None = None
        self._claims = 0
        self._unknown: set[str] = set()
        self._handlers: dict[str, Callable[[list[str], int, int], None]] = {
            "HL": self._hl,
            "CLM": self._clm,
            "NM1": self._nm1,
            "N3": self._party_detail,
            "N4": self._party_detail,
            "REF": self._ref,
            "DTP": self._dtp,
            "DMG": self._party_detail,
            "HI": self._hi,
            "LX": self._lx,
            "SV1": self._sv,
            "SV2": self._sv,
            "SV3": self._sv,
            "SBR": self._sbr,
            "PAT": self._pat,
            "PRV": self._party_detail,
            "PER": self._party_detail,
            "AMT": self._amt,
            "CAS": self._cas,
            "SVD": self._svd,
            "OI": self._oi,
            "CL1": self._cl1,
            "PWK": self._pwk,
            "NTE": self._nte,
            "K3": self._k3,
            "LIN": self._lin,
            "CTP": self._ctp,
            "BHT": self._bht,
        }

    # --- reader interface ---------------------------------------------------------------

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        handler = self._handlers.get(seg[0])
        if handler is not None:
            handler(seg, index, offset)
        elif seg[0] not in _SKIPPED and seg[0] not in self._unknown:
            self._unknown.add(seg[0])
            self.sink.info(
                "claim837.unknown_segment",
                f"Segment {seg[0]} is not part of the 837 guides; skipped.",
                index=index,
                offset=offset,
                segment_id=seg[0],
            )

    def finish(self, index: int, offset: int) -> None:
        self._close_claim()
        if self._node is not None:
            check_node(self.ctx, self._node)
        self.tree.check_children()
        if not self._claims:
            self.sink.warning(
                "claim837.no_claims",
                "The 837 transaction set holds no claim (no CLM segment).",
                index=index,
                offset=offset,
            )

    # --- helpers ------------------------------------------------------------------------

    def _set_kind(self, kind: str) -> None:
        if self.kind not in _KNOWN_KINDS:
            self.kind = kind
            self.ctx.set_kind(kind)

    def _misplaced(self, seg: list[str], index: int, offset: int, where: str) -> None:
        self.sink.warning(
            "claim837.segment_context",
            f"{seg[0]} appears {where}; skipped.",
            index=index,
            offset=offset,
            segment_id=seg[0],
        )

    def _close_line(self) -> None:
        line = self._line
        if line is not None and self._claim is not None:
            check_line(
                self.ctx, self._claim, line, self._line_served, self._line_dated, *self._line_at
            )
        self._line = None
        self._paid = None
        self._drug_open = False

    def _close_claim(self) -> None:
        claim = self._claim
        if claim is None:
            return
        self._close_line()
        claim.kind = self.kind
        check_claim(self.ctx, claim)
        summary = self.ctx.summary
        summary.claims += 1
        summary.service_lines += len(claim.lines)
        if claim.total_charge is not None:
            summary.total_charge += claim.total_charge
        self._claims += 1
        self.ctx.emit(claim)
        self._claim = None
        self._other = None
        self._party = None

    # --- hierarchy ----------------------------------------------------------------------

    def _hl(self, seg: list[str], index: int, offset: int) -> None:
        self._close_claim()
        if self._node is not None:
            check_node(self.ctx, self._node)
        node = self.tree.add(seg, index, offset)
        self._node = node
        self._party = None
        if node.level == "20":
            self._loop = BILLING
            self._party = node.billing  # PRV precedes NM1*85 in 2000A
        elif node.level == "22":
            self._loop = SUBSCRIBER
        elif node.level == "23":
            self._loop = PATIENT
        else:
            self._loop = OTHER_LEVEL

    def _bht(self, seg: list[str], index: int, offset: int) -> None:
        s = pad(seg, 7)
        sub = self.submission
        sub.purpose = s[2].strip()
        sub.reference = s[3].strip()
        sub.created = self.ctx.date(s, 4, index, offset)
        sub.time = s[5].strip()
        sub.claim_or_encounter = s[6].strip()

    def _nm1(self, seg: list[str], index: int, offset: int) -> None:
        code = seg[1].strip() if len(seg) > 1 else ""
        loop = self._loop
        if loop == CLAIM:
            party = fill_party(Party(code), seg)
            assert self._claim is not None
            self._claim.providers.append(party)
        elif loop in (LINE, LINE_PAID):
            party = fill_party(Party(code), seg)
            assert self._line is not None
            self._line.providers.append(party)
            self._loop = LINE
            self._drug_open = False
        elif loop == OTHER_PAYER:
            party = fill_party(Party(code), seg)
            assert self._other is not None
            if code == "IL" and self._other.subscriber is None:
                self._other.subscriber = party
            elif code == "PR" and self._other.payer is None:
                self._other.payer = party
            # other payers' providers (2330C-I) only carry secondary ids: not kept
        elif loop == SUBSCRIBER:
            node = self._node
            assert node is not None and node.subscriber is not None and node.payer is not None
            if code == "IL":
                party = fill_party(node.subscriber.party, seg)
                node.seen |= Node.SUBSCRIBER_NAME
            elif code == "PR":
                party = fill_party(node.payer, seg)
                node.seen |= Node.PAYER_NAME
            else:
                party = fill_party(Party(code), seg)  # 4010 responsible party, card holder
        elif loop == PATIENT:
            node = self._node
            assert node is not None and node.patient is not None
            if code == "QC":
                party = fill_party(node.patient.party, seg)
                node.seen |= Node.PATIENT_NAME
            else:
                party = fill_party(Party(code), seg)
        elif loop == BILLING:
            node = self._node
            assert node is not None
            if code == "85" and node.billing is not None:
                party = fill_party(node.billing, seg)
                node.seen |= Node.BILLING_NAME
            elif code == "87":
                party = node.pay_to = fill_party(Party(code), seg)
            elif code == "PE":
                party = node.pay_to_plan = fill_party(Party(code), seg)
            else:
                party = fill_party(Party(code), seg)
        elif loop == HEADER:
            if code == "41":
                party = fill_party(self.submission.submitter, seg)
            elif code == "40":
                party = fill_party(self.submission.receiver, seg)
            else:
                party = fill_party(Party(code), seg)
        else:
            party = fill_party(Party(code), seg)
        self._party = party

    def _sbr(self, seg: list[str], index: int, offset: int) -> None:
        s = pad(seg, 10)
        claim = self._claim
        if claim is not None:  # 2320 other subscriber
            self._close_line()
            other = OtherPayer(
                responsibility=s[1].strip(),
                relationship=s[2].strip(),
                group_number=s[3].strip(),
                group_name=s[4].strip(),
                insurance_type=s[5].strip(),
                filing_indicator=s[9].strip(),
                benefits_assignment="",
                release_of_information="",
            )
            claim.other_payers.append(other)
            self._other = other
            self._loop = OTHER_PAYER
            self._party = None
            return
        node = self._node
        if node is None or node.subscriber is None or self._loop != SUBSCRIBER:
            self._misplaced(seg, index, offset, "outside a subscriber level (HL 22)")
            return
        sub = node.subscriber
        sub.responsibility = s[1].strip()
        sub.relationship = s[2].strip()
        sub.group_number = s[3].strip()
        sub.group_name = s[4].strip()
        sub.insurance_type = s[5].strip()
        sub.filing_indicator = s[9].strip()
        node.seen |= Node.SBR

    def _pat(self, seg: list[str], index: int, offset: int) -> None:
        node = self._node
        if self._loop == PATIENT and node is not None and node.patient is not None:
            node.patient.relationship = seg[1].strip() if len(seg) > 1 else ""
        # 2000B PAT (837P: patient death date, weight, pregnancy) is not kept

    # --- claim --------------------------------------------------------------------------

    def _clm(self, seg: list[str], index: int, offset: int) -> None:
        self._close_claim()
        ctx = self.ctx
        s = pad(seg, 21)
        parts = [*s[5].split(self.component), "", "", ""]
        qualifier = parts[1].strip()
        if qualifier == "B":
            self._set_kind("837P")
        elif qualifier == "A":
            self._set_kind("837I")
        claim = Claim(
            s[1].strip(),
            ctx.amount(s, 2, index, offset, required=True),
            kind=self.kind,
            facility_code=parts[0].strip(),
            facility_qualifier=qualifier,
            frequency=parts[2].strip(),
            provider_signature=s[6].strip(),
            assignment=s[7].strip(),
            benefits_assignment=s[8].strip(),
            release_of_information=s[9].strip(),
            patient_signature_source=s[10].strip(),
            special_program=s[12].strip(),
            delay_reason=s[20].strip(),
            submission=self.submission,
            transaction=ctx.transaction,
            segment_index=index,
            offset=offset,
        )
        # __post_init__ fills defaults for hand-built claims; a read claim keeps what was sent.
        claim.facility_code = parts[0].strip()
        claim.facility_qualifier = qualifier
        if s[11]:
            causes = [*s[11].split(self.component), "", "", "", ""]
            claim.related_causes = [c.strip() for c in causes[:3] if c.strip()]
            claim.accident_state = causes[3].strip()
            claim.accident_country = causes[4].strip()
        self.tree.attach(claim, self._node, seg, index, offset)
        self._claim = claim
        self._pointer_targets = 0
        self._loop = CLAIM
        self._party = None
        self._other = None

    def _hi(self, seg: list[str], index: int, offset: int) -> None:
        claim = self._claim
        if claim is None or self._loop not in (CLAIM, OTHER_PAYER):
            self._misplaced(seg, index, offset, "outside a claim (2300)")
            return
        entries, targets = read_hi(self.ctx, seg, index, offset, HI_QUALIFIERS.get(self.kind))
        claim.codes.extend(entries)
        self._pointer_targets += targets

    def _dtp(self, seg: list[str], index: int, offset: int) -> None:
        loop = self._loop
        if loop < CLAIM:
            return  # no dates in the header or HL loops of 5010; 4010 extras are not kept
        qualifier, start, end, time = read_dtp(self.ctx, seg, index, offset)
        if loop == LINE:
            line = self._line
            assert line is not None
            if qualifier == "472":
                line.service_from, line.service_to = start, end
                self._line_dated = True
            else:
                line.dates[qualifier] = (start, end)
        elif loop == CLAIM:
            claim = self._claim
            assert claim is not None
            if start is not None or not time:
                claim.dates[qualifier] = (start, end)
            if time:
                claim.times[qualifier] = time
        elif loop == OTHER_PAYER:
            assert self._other is not None
            self._other.paid_date = start
        else:
            assert self._paid is not None
            self._paid.paid_date = start

    def _cl1(self, seg: list[str], index: int, offset: int) -> None:
        claim = self._claim
        if claim is None:
            self._misplaced(seg, index, offset, "outside a claim (2300)")
            return
        s = pad(seg, 4)
        claim.admission_type = s[1].strip()
        claim.admission_source = s[2].strip()
        claim.patient_status = s[3].strip()

    def _ref(self, seg: list[str], index: int, offset: int) -> None:
        s = pad(seg, 3)
        qualifier, value = s[1].strip(), s[2].strip()
        party = self._party
        loop = self._loop
        if loop == LINE and self._drug_open:
            assert self._line is not None and self._line.drug is not None
            self._line.drug.reference_qualifier = qualifier
            self._line.drug.reference = value
        elif party is not None:
            party.refs.append((qualifier, value))
        elif loop == CLAIM:
            assert self._claim is not None
            self._claim.refs.append((qualifier, value))
        elif loop == LINE:
            line = self._line
            assert line is not None
            if qualifier == "6R" and not line.control_number:
                line.control_number = value
            else:
                line.refs.append((qualifier, value))
        # header REF (87 transmission type, 4010) and 2320 REF: not kept

    def _amt(self, seg: list[str], index: int, offset: int) -> None:
        loop = self._loop
        if loop < CLAIM:
            return
        qualifier = seg[1].strip() if len(seg) > 1 else ""
        amount = self.ctx.amount(seg, 2, index, offset, required=True)
        if amount is None:
            return
        if loop == CLAIM:
            assert self._claim is not None
            self._claim.amounts.append((qualifier, amount))
        elif loop == OTHER_PAYER:
            other = self._other
            assert other is not None
            # 5010 payer paid amount is AMT D; 4010 sent the prior payment as AMT C4.
            if other.paid_amount is None and qualifier in ("D", "C4"):
                other.paid_amount = amount
            else:
                other.amounts.append((qualifier, amount))
        elif loop == LINE:
            assert self._line is not None
            self._line.amounts.append((qualifier, amount))
        elif loop == LINE_PAID:
            assert self._paid is not None
            self._paid.amounts.append((qualifier, amount))

    def _pwk(self, seg: list[str], index: int, offset: int) -> None:
        s = pad(seg, 7)
        att = Attachment(s[1].strip(), s[2].strip(), s[5].strip(), s[6].strip())
        if self._loop == LINE and self._line is not None:
            self._line.attachments.append(att)
        elif self._claim is not None:
            self._claim.attachments.append(att)

    def _nte(self, seg: list[str], index: int, offset: int) -> None:
        s = pad(seg, 3)
        note = (s[1].strip(), s[2].strip())
        if self._loop == LINE and self._line is not None:
            self._line.notes.append(note)
        elif self._claim is not None:
            self._claim.notes.append(note)

    def _k3(self, seg: list[str], index: int, offset: int) -> None:
        if self._loop == CLAIM and self._claim is not None and len(seg) > 1:
            self._claim.k3.append(seg[1].strip())

    def _party_detail(self, seg: list[str], index: int, offset: int) -> None:
        # N3, N4, DMG, PRV, PER describe the party last named. A 4010 2320 DMG comes before
        # the other subscriber's NM1 (no party yet): not kept.
        party = self._party
        if party is not None:
            PARTY_DETAIL[seg[0]](self.ctx, party, seg, index, offset)

    # --- other payers (2320/2330) ---------------------------------------------------------

    def _cas(self, seg: list[str], index: int, offset: int) -> None:
        loop = self._loop
        adjustments = read_cas(self.ctx, seg, index, offset)
        self.ctx.summary.adjustments += len(adjustments)
        if loop == OTHER_PAYER:
            assert self._other is not None
            self._other.adjustments.extend(adjustments)
        elif loop == LINE_PAID:
            assert self._paid is not None
            self._paid.adjustments.extend(adjustments)
        else:
            self._misplaced(seg, index, offset, "outside an other-payer loop (2320 or 2430)")

    def _oi(self, seg: list[str], index: int, offset: int) -> None:
        if self._loop == OTHER_PAYER and self._other is not None:
            s = pad(seg, 7)
            self._other.benefits_assignment = s[3].strip()
            self._other.release_of_information = s[6].strip()

    # --- service lines ------------------------------------------------------------------

    def _lx(self, seg: list[str], index: int, offset: int) -> None:
        claim = self._claim
        if claim is None:
            self._misplaced(seg, index, offset, "outside a claim")
            return
        self._close_line()
        number = seg[1].strip() if len(seg) > 1 else ""
        line_no = int(number) if number.isdigit() else 0
        # A line without a number is stored under its position (see store_claims).
        used = {ln.number or i for i, ln in enumerate(claim.lines, 1)}
        if (line_no or len(claim.lines) + 1) in used:
            # Two lines under one number would overwrite each other when stored.
            line_no = max(used) + 1
            self.sink.error(
                "claim837.lx_duplicate",
                f"LX01 repeats a line number of this claim; read as line {line_no}.",
                index=index,
                offset=offset,
                segment_id="LX",
                element=1,
            )
        line = Line(number=line_no, procedure_qualifier="")
        line.unit_qualifier = ""
        claim.lines.append(line)
        self._line = line
        self._line_at = (index, offset)
        self._line_served = False
        self._line_dated = False
        self._loop = LINE
        self._party = None
        self._other = None

    def _sv(self, seg: list[str], index: int, offset: int) -> None:
        claim = self._claim
        if claim is None:
            self._misplaced(seg, index, offset, "outside a claim")
            return
        if self._line is None or self._line_served or self._loop != LINE:
            self.sink.warning(
                "claim837.missing_lx",
                f"{seg[0]} is not preceded by its own LX; read as a new service line.",
                index=index,
                offset=offset,
                segment_id=seg[0],
            )
            self._lx(["LX", str(len(claim.lines) + 1)], index, offset)
        line = self._line
        assert line is not None
        sid = seg[0]
        if sid == "SV1":
            self._set_kind("837P")
            read_sv1(self.ctx, line, seg, index, offset, self._pointer_targets)
        elif sid == "SV2":
            self._set_kind("837I")
            read_sv2(self.ctx, line, seg, index, offset)
        else:
            self._set_kind("837D")
            read_sv3(self.ctx, line, seg, index, offset)
        self._line_served = True
        self._party = None

    def _lin(self, seg: list[str], index: int, offset: int) -> None:
        if self._loop != LINE or self._line is None:
            self._misplaced(seg, index, offset, "outside a service line")
            return
        s = pad(seg, 4)
        self._line.drug = Drug(s[3].strip(), qualifier=s[2].strip())
        self._drug_open = True
        self._party = None

    def _ctp(self, seg: list[str], index: int, offset: int) -> None:
        line = self._line
        if line is None or line.drug is None:
            return
        s = pad(seg, 6)
        line.drug.quantity = self.ctx.amount(s, 4, index, offset)
        line.drug.unit = s[5].split(self.component)[0].strip()

    def _svd(self, seg: list[str], index: int, offset: int) -> None:
        line = self._line
        if line is None:
            self._misplaced(seg, index, offset, "outside a service line")
            return
        s = pad(seg, 7)
        q, code, mods, _ = read_procedure(s[3], self.component)
        paid = LineAdjudication(
            s[1].strip(),
            self.ctx.amount(s, 2, index, offset, required=True),
            procedure_qualifier=q,
            procedure=code,
            modifiers=mods,
            revenue_code=s[4].strip(),
            units=self.ctx.amount(s, 5, index, offset),
            bundled_line=s[6].strip(),
        )
        line.adjudications.append(paid)
        self._paid = paid
        self._loop = LINE_PAID
        self._party = None
        self._drug_open = False

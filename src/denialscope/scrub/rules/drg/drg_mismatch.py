from __future__ import annotations

from collections.abc import Iterator

from denialscope.scrub.base import Rule
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.finding import Finding
from denialscope.scrub.rules._msdrg import msdrg_input, run_tool
from denialscope.x12.claim837.records import Claim

__all__ = ["DrgMismatch"]


class DrgMismatch(Rule):
    """The DRG sent on the claim (HI*DR) differs from the MS-DRG its codes group to.

    Catches: an inpatient claim whose submitted DRG is not the one the CMS MS-DRG grouper
    (the ``msdrg`` port, version chosen by discharge date) assigns to its diagnoses,
    procedures, age, sex and discharge status; and claims that do not group (DRG 998/999
    or a grouper error).
    Prevents: DRG downgrades and CO-16 / N-series DRG validation denials, and clinical
    validation audits when the codes do not support the billed DRG.
    Fix: correct the DRG to the grouped one, or the codes if they miss documented
    conditions (CC/MCC) or procedures.
    """

    id = "drg.mismatch"
    category = "drg"
    claim_types = frozenset({"inpatient"})

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        data = msdrg_input(claim)
        if data is None:
            return
        result = run_tool(context, "group", data)
        grouped = None if result is None else result.get("final_drg")
        code = result.get("return_code", "?") if result else "grouper error"
        if grouped is None or grouped in (998, 999) or code != "OK":
            yield self.finding(
                claim,
                None,
                f"the claim's codes do not group to a payable MS-DRG ({code})",
                "Review the principal diagnosis and procedures; the payer will not group "
                "this claim either.",
            )
            return
        submitted = claim.drg
        if submitted and submitted.strip().lstrip("0").zfill(3) != f"{grouped:03d}":
            yield self.finding(
                claim,
                None,
                f"submitted DRG {submitted} but the codes group to MS-DRG {grouped:03d} "
                f"(version {data['version']})",
                f"Send DRG {grouped:03d}, or add the documented codes that support {submitted}.",
                severity="warn",
            )

"""999 and 277CA acknowledgments: read by our reader, rejections corrected and resent."""

from __future__ import annotations

import json
from collections import defaultdict

from denialscope.x12.diagnostics import Severity
from denialscope.x12.reader import open_x12
from factories.demo_text import DemoData, segments


def test_every_837_batch_has_a_999_and_a_277ca_that_read_cleanly(demo: DemoData) -> None:
    acks = demo.result.files_ack
    assert len(acks) == 2 * len(demo.result.files_837)
    kinds: dict[str, int] = defaultdict(int)
    for path in acks:
        with open_x12(path) as reader:
            for record in reader:
                kinds[type(record).__name__] += 1
            assert not [d for d in reader.diagnostics if d.severity is not Severity.INFO]
    assert kinds["TransactionAcknowledgment"] == len(demo.result.files_837)
    assert kinds["ClaimAcknowledgment"] == demo.result.submissions


def test_rejected_claims_are_resent_and_then_paid_or_denied(demo: DemoData) -> None:
    rejected: set[str] = set()
    for path in demo.result.files_ack:
        if path.name.startswith("277CA"):
            claim = ""
            for seg in segments(path):
                if seg[0] == "TRN" and seg[1] == "2" and not seg[2].startswith("BATCH"):
                    claim = seg[2]
                elif seg[0] == "STC" and claim and seg[1][:2] in ("A6", "A7"):
                    rejected.add(claim)
    originals = [c.claim_id for c in demo.claims if c.frequency == "1"]
    remitted = {c.claim_id for c in demo.clps}
    assert rejected
    for claim_id in rejected:
        assert originals.count(claim_id) >= 2  # the rejected send, then the corrected one
        assert claim_id in remitted
    profile = json.loads(demo.result.profile.read_text())["rejections_999_277ca"]
    assert profile["claims_rejected_277ca"] == len(rejected)
    assert profile["rejected_then_resubmitted"] == len(rejected)
    distinct = len(set(originals))
    assert profile["clean_claim_rate"] == round(1 - len(rejected) / distinct, 4)
    assert 0.93 <= profile["clean_claim_rate"] <= 0.99

"""The HL tree of one 837 transaction set: billing provider (20) > subscriber (22) > patient (23).

Claims take their billing provider, subscriber, payer and patient from the HL they sit
under, found by following HL02 parent ids rather than file order. Levels in the wrong
place, unknown parents and wrong child codes become diagnostics; the claim is still
attached to the nearest sensible level so nothing is lost.
"""

from __future__ import annotations

from typing import ClassVar

from denialscope.x12.claim837.records import Claim, Party, Patient, Subscriber
from denialscope.x12.claim837.segments import pad
from denialscope.x12.envelope import TransactionContext

__all__ = ["Node", "Tree"]

LEVEL_NAMES = {"20": "billing provider", "22": "subscriber", "23": "patient"}
_EXPECTED_PARENT = {"22": "20", "23": "22"}
# A transaction set with a subscriber HL per claim holds as many nodes as claims; beyond this
# many, old subscriber and patient nodes are forgotten (files only refer back a few HLs).
MAX_NODES = 5_000


class Node:
    """One HL and the parties read in its loop."""

    __slots__ = (
        "billing",
        "child_code",
        "children",
        "id",
        "index",
        "level",
        "offset",
        "patient",
        "pay_to",
        "pay_to_plan",
        "payer",
        "seen",
        "sub",
        "subscriber",
        "top",
    )

    # ``seen`` bits: which required segments the loop had.
    BILLING_NAME: ClassVar[int] = 1
    SBR: ClassVar[int] = 2
    SUBSCRIBER_NAME: ClassVar[int] = 4
    PAYER_NAME: ClassVar[int] = 8
    PATIENT_NAME: ClassVar[int] = 16

    def __init__(self, hl_id: str, level: str, child_code: str, index: int, offset: int) -> None:
        self.id = hl_id
        self.level = level
        self.child_code = child_code
        self.children = 0
        self.index = index
        self.offset = offset
        self.seen = 0
        self.top: Node | None = None  # the billing provider level above (or self)
        self.sub: Node | None = None  # the subscriber level above (or self)
        self.billing: Party | None = None  # level 20 only
        self.pay_to: Party | None = None
        self.pay_to_plan: Party | None = None
        self.subscriber: Subscriber | None = None
        self.payer: Party | None = None
        self.patient: Patient | None = None


class Tree:
    """The HL nodes of one transaction set, by id."""

    def __init__(self, ctx: TransactionContext) -> None:
        self.ctx = ctx
        self.nodes: dict[str, Node] = {}
        self.last: dict[str, Node] = {}  # last node of each level

    def add(self, seg: list[str], index: int, offset: int) -> Node:
        sink = self.ctx.sink
        s = pad(seg, 5)
        hl_id, parent_id, level, child = s[1].strip(), s[2].strip(), s[3].strip(), s[4].strip()
        where = {"index": index, "offset": offset, "segment_id": "HL"}
        if not hl_id:
            sink.error("claim837.hl_id", "HL01 hierarchical id is missing.", element=1, **where)
            hl_id = f"@{index}"
        elif hl_id in self.nodes:
            sink.error(
                "claim837.hl_id",
                f"HL01 id {hl_id} is used twice in this transaction set.",
                element=1,
                value=hl_id,
                **where,
            )
        parent = self.nodes.get(parent_id) if parent_id else None
        if parent_id and parent is None:
            sink.error(
                "claim837.hl_parent",
                f"HL {hl_id} names parent {parent_id}, which is not an earlier HL of this "
                "transaction set.",
                element=2,
                value=parent_id,
                **where,
            )
        if parent is not None:
            parent.children += 1
            if parent.child_code == "0":
                sink.warning(
                    "claim837.hl_child_code",
                    f"HL {parent.id} says it has no children (HL04 = 0) but HL {hl_id} names "
                    "it as parent.",
                    element=2,
                    value=parent_id,
                    **where,
                )
        node = Node(hl_id, level, child, index, offset)
        if level == "20":
            if parent_id:
                sink.warning(
                    "claim837.hl_parent",
                    f"HL {hl_id} is a billing provider level (20) and should have no parent; "
                    "the parent is ignored.",
                    element=2,
                    value=parent_id,
                    **where,
                )
            node.top = node
            node.billing = Party("85")
        else:
            parent = self._parent(node, parent, parent_id, where)
            node.top = parent.top if parent is not None else self.last.get("20")
            node.sub = parent.sub if parent is not None else None
            if level == "22":
                node.sub = node
                node.subscriber = Subscriber(
                    party=Party("IL", "1"), responsibility="", relationship="", filing_indicator=""
                )
                node.payer = Party("PR")
            elif level == "23":
                node.patient = Patient(party=Party("QC", "1"), relationship="")
        self.last[level] = node
        if len(self.nodes) >= MAX_NODES:
            self._forget()
        self.nodes[hl_id] = node
        return node

    def _parent(
        self, node: Node, parent: Node | None, parent_id: str, where: dict[str, object]
    ) -> Node | None:
        """The node to take context from; reports a missing or misplaced parent."""
        sink = self.ctx.sink
        expected = _EXPECTED_PARENT.get(node.level)
        if expected is None:
            sink.error(
                "claim837.hl_level",
                f"HL {node.id} has level code {node.level!r}; an 837 uses 20 (billing "
                "provider), 22 (subscriber) and 23 (patient).",
                element=3,
                value=node.level,
                **where,
            )
            return parent
        if parent is None:
            fallback = self.last.get(expected)
            if not parent_id:
                sink.error(
                    "claim837.hl_parent",
                    f"HL {node.id} ({LEVEL_NAMES[node.level]}) has no parent id (HL02); "
                    f"read under the last {LEVEL_NAMES[expected]} level.",
                    element=2,
                    **where,
                )
            return fallback
        if parent.level != expected:
            sink.error(
                "claim837.hl_level",
                f"HL {node.id} is a {LEVEL_NAMES[node.level]} level ({node.level}) under HL "
                f"{parent.id} (level {parent.level}); it belongs under a "
                f"{LEVEL_NAMES[expected]} level ({expected}).",
                element=3,
                value=node.level,
                **where,
            )
        return parent

    def _forget(self) -> None:
        keep = [n for n in self.nodes.values() if n.level == "20"]
        recent = list(self.nodes.values())[-MAX_NODES // 10 :]
        self.nodes = {n.id: n for n in keep}
        self.nodes.update((n.id, n) for n in recent)

    def attach(
        self, claim: Claim, node: Node | None, seg: list[str], index: int, offset: int
    ) -> None:
        """Give ``claim`` the parties of the HL it sits under."""
        sink = self.ctx.sink
        where = {"index": index, "offset": offset, "segment_id": "CLM"}
        if node is None:
            sink.error(
                "claim837.clm_outside_hl",
                "CLM comes before any HL: the claim has no billing provider or subscriber.",
                **where,
            )
            return
        if node.top is not None and node.top.billing is not None:
            claim.billing_provider = node.top.billing
            claim.pay_to_provider = node.top.pay_to
            claim.pay_to_plan = node.top.pay_to_plan
        sub = node.sub
        if sub is None or sub.subscriber is None or sub.payer is None:
            sink.error(
                "claim837.clm_level",
                f"CLM sits under HL {node.id} (level {node.level}) with no subscriber level "
                "(22) above it: the claim has no subscriber or payer.",
                **where,
            )
        else:
            claim.subscriber = sub.subscriber
            claim.payer = sub.payer
        if node.level == "23" and node.patient is not None:
            claim.patient = node.patient
            if claim.subscriber.relationship == "18":
                sink.warning(
                    "claim837.patient_relationship",
                    "The subscriber is the patient (SBR02 = 18) yet the claim sits under a "
                    "patient level (HL 23); the HL 23 patient is used.",
                    **where,
                )

    def check_children(self) -> None:
        for node in self.nodes.values():
            if node.child_code == "1" and not node.children:
                self.ctx.sink.warning(
                    "claim837.hl_child_code",
                    f"HL {node.id} says it has children (HL04 = 1) but no HL names it as parent.",
                    index=node.index,
                    offset=node.offset,
                    segment_id="HL",
                    element=4,
                )

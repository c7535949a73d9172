"""The HL7 v2.5.1 ADT feed: every inpatient and observation stay, consistent with its 837I."""

from __future__ import annotations

from collections import defaultdict

from factories.demo_text import DemoData


def _messages(demo: DemoData) -> dict[str, list[dict[str, list[str]]]]:
    """Messages by visit number (PV1-19 = CLM01), each as segment id -> fields."""
    by_visit: dict[str, list[dict[str, list[str]]]] = defaultdict(list)
    for path in demo.result.files_adt:
        assert path.suffix == ".hl7"
        text = path.read_bytes().decode("ascii")
        assert "\n" not in text  # HL7 v2 ends segments with CR
        for raw in text.split("MSH|")[1:]:
            segs = {s.split("|")[0]: s.split("|") for s in ("MSH|" + raw).split("\r") if s}
            assert segs["MSH"][11] == "2.5.1"
            # Field n of a segment is split index n (MSH: n - 1, its separator is field 1).
            by_visit[segs["PV1"][19].split("^")[0]].append(segs)
    return by_visit


def test_every_stay_has_its_messages_in_order(demo: DemoData) -> None:
    feed = _messages(demo)
    stays = {c.claim_id: c for c in demo.claims if c.frequency == "1" and c.kind == "I"}
    inpatient = {cid for cid, c in stays.items() if c.drg}
    events_seen: set[str] = set()
    for cid in inpatient:
        msgs = feed[cid]
        events = [m["MSH"][8].split("^")[1] for m in msgs]
        events_seen.update(events)
        assert events[0] in ("A01", "A04") and events[-1] == "A03", events
        if events[0] == "A04":
            assert events[1] == "A06"  # observation, then admitted
        a03 = msgs[-1]["PV1"]
        c = stays[cid]
        assert a03[44][:8] == c.start and a03[45][:8] == c.end  # the 837I's dates
        assert a03[36] == c.status  # discharge disposition = CL1 patient status
        assert a03[7].split("^")[0] == c.rendering_npi  # attending
        assert any(m.get("DG1") and m["DG1"][6] == "W" for m in msgs)  # working diagnosis
    observation = [cid for cid, msgs in feed.items() if cid not in inpatient]
    assert observation
    for cid in observation:
        events = [m["MSH"][8].split("^")[1] for m in feed[cid]]
        events_seen.update(events)
        assert events[-1] == "A03" and feed[cid][-1]["PV1"][2] == "O"
        assert feed[cid][-1]["PV1"][45][:8] == stays[cid].end
    assert {"A01", "A03", "A04", "A06", "A07", "A08", "A11"} <= events_seen


def test_the_feed_carries_the_physicians_expected_discharge(demo: DemoData) -> None:
    """PV2-9 on every inpatient order: the admission's expected midnights, which decide how
    often a short stay is denied for its status (the two-midnight benchmark)."""
    feed = _messages(demo)
    stays = {c.claim_id: c for c in demo.claims if c.frequency == "1" and c.kind == "I" and c.drg}
    short_expected = 0
    for cid in stays:
        orders = [m for m in feed[cid] if m["MSH"][8].split("^")[1] in ("A01", "A06")]
        expected = orders[-1]["PV2"][9]
        admit = orders[-1]["PV1"][44]
        assert len(expected) == 12 and expected > admit
        short_expected += expected[:8] <= _next_day(admit[:8])
    assert 0.1 < short_expected / len(stays) < 0.5


def _next_day(day: str) -> str:
    import datetime as dt

    return (dt.datetime.strptime(day, "%Y%m%d") + dt.timedelta(days=1)).strftime("%Y%m%d")

"""Utilization review: working DRG, payer triggers, the ranked worklist, reviews, physician
advisor escalation with peer-to-peer, and the KPIs that close the loop with the 835."""

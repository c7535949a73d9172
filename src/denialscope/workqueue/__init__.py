"""Work queues: denied claims routed to the people who work them, ranked, with outcomes."""

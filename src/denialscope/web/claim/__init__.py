"""The claim page's helpers and its letter and corrected-claim routes (included by
``web.routes.claim_page``)."""

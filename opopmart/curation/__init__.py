"""Curation (kurasi): producer verification and the review of submitted products."""

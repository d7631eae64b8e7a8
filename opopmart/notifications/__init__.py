"""In-site notifications (with one email each) for sellers and other users."""

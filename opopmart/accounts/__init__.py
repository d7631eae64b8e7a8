"""People: shoppers, sellers, curators and programme admins."""

"""The seller studio: opening a shop, inviting staff, managing products and certificates."""

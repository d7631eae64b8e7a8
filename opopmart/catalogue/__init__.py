"""Producers, categories, brands, products, variants and certificates; public pages."""

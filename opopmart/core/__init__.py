"""Building blocks every domain package shares: time, money, text, workflows, caching."""

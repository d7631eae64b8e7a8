"""Programme insight: market data for admins and direct sales recorded by producers."""

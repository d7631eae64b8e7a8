"""The shopping cart: lines of variants, anonymous or a user's, merged on login."""

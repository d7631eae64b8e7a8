"""From cart to order: addresses, shipping rates, stock reservation, Stripe and its webhook.

Nothing outside this package talks to Stripe.
"""

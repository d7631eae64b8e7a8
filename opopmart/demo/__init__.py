"""The demo catalogue: believable East Javanese producers and products, drawn and loaded offline."""

"""Portfolio: every project a person sees in one table, with its progress, money, risks and key results."""

"""Decision records: a problem, its options scored against weighted criteria, the decision, the work that carries it out and a review of whether it worked."""

"""The audit trail: an append-only hash chain, verdict Merkle batches, signed checkpoints."""

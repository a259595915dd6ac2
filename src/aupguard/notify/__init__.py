"""Notices to tenants and operators through a transactional outbox (e-mail, webhooks)."""

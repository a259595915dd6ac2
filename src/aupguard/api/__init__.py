"""The HTTP API (FastAPI): OpenAPI 3.1 is the contract, errors are RFC 9457 problems."""

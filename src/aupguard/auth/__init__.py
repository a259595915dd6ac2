"""E-mail authentication: SPF, DKIM, DMARC and ARC over a resolver with deadlines."""

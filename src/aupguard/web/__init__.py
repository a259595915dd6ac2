"""The reviewer console and the public and tenant pages (server-rendered, Jinja2 + htmx)."""

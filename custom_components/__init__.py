"""Custom integrations (this repository holds one: nuki_web_api)."""

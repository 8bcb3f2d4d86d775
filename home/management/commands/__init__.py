"""`seed_demo`: the demo data, each app contributing its step."""

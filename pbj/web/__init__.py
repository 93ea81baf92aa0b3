"""Request-layer helpers shared by the blueprints."""

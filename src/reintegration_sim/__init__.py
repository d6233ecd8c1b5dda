"""reintegration-sim."""

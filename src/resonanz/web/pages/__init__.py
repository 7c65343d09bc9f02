"""Page groups of the dashboard; each module lists its ROUTES."""

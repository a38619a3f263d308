//! Seeded, reproducible synthetic districts (parcels, zones, projects, buildings, sites).

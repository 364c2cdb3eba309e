"""Sync protocol v1 (shared/docs/sync-protocol.md): pull by client view records, push by
per-device mutation ids."""

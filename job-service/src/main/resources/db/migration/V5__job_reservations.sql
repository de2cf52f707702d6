-- Spending guardrails: the billing reservation holding a training job's estimated cost (null when
-- guardrails were off, or for jobs that hold nothing). The job's usage.recorded event names it, so
-- billing settles the hold with the real cost (or with 0 when the job failed or was cancelled).
ALTER TABLE jobs ADD COLUMN reservation_id UUID;

-- The plan a user is on (free, pro, enterprise): carried in the access token as the `plan` claim,
-- read by the gateway's rate limiter. New accounts get ensemble.auth.default-plan.
ALTER TABLE users ADD COLUMN plan VARCHAR(32) NOT NULL DEFAULT 'pro';

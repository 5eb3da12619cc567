-- Payloads arrive zstd-compressed: PostgreSQL's attempt to compress them again
-- (pglz during TOAST) never wins and cost 2-3% of the machine in the ingest
-- benchmark. EXTERNAL keeps out-of-line storage and skips the compression.
ALTER TABLE payloads ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- The payout registry (реестр выплат, GET /api/v1/payouts/export) reads payouts in pages ordered by (created_at, id),
-- each page starting after the last row of the one before (keyset paging): an index on both makes every page a short
-- range scan, however far into the table it is, instead of a sort of everything before it. It replaces an index on
-- created_at alone where there is one (V10): this one serves the same range scans.
drop index if exists payout_created_idx;
create index payout_created_idx on payout (created_at, id);

-- Money (issue 13): every MadeTask attempt of a payout is kept, failed payouts whose cause passed are tried again,
-- and the self-employed's yearly income limit is watched.

-- A payout's earlier attempts: when a FAILED payout is tried again, the attempt that failed is kept here (its key,
-- MadeTask's payout id, its failure), so that MadeTask's list of payouts, which holds every attempt, can be matched
-- with the bridge's in full, and the audit of a payout shows each try.
create table payout_attempt (
    payout_id        text        not null references payout (id),
    attempt          integer     not null,
    idempotency_key  text        not null unique,
    madetask_id      text,
    status           text        not null,
    failure_code     text,
    failure_message  text,
    ended_at         timestamptz not null default now(),
    retried_by       text        not null,
    primary key (payout_id, attempt)
);
create index payout_attempt_madetask_idx on payout_attempt (madetask_id) where madetask_id is not null;

-- Automatic recovery: a FAILED payout whose cause passed (the executor payable again, the balance topped up, a new
-- year) is tried again by the bridge. recoveries counts those automatic tries; recover_after spaces them out, so a
-- cause that only seems to have passed costs a call per growing interval, never a loop.
alter table payout add column recoveries integer not null default 0;
alter table payout add column recover_after timestamptz;
create index payout_failed_idx on payout (failure_code, updated_at) where status = 'FAILED';
create index payout_income_idx on payout (executor_crm_id, status, paid_at);

-- The income limit of the self-employed (НПД: 2,400,000 RUB a calendar year), as each instance configures it at
-- start-up (bridge.payouts.income-limit, income-warning-share); the payout trigger reads it.
create table income_policy (
    only_row       boolean       primary key default true check (only_row),
    yearly_limit   numeric(15, 2) not null default 2400000.00,
    warning_share  numeric(5, 4)  not null default 0.9000,
    updated_at     timestamptz   not null default now()
);
insert into income_policy (only_row) values (true);

-- executor.income_limit_near is sent once per executor and year: the first payout that takes the executor's paid
-- total past the warning share records it here.
create table income_notice (
    executor_crm_id  text        not null,
    year             integer     not null,
    paid             numeric(15, 2) not null,
    created_at       timestamptz not null default now(),
    primary key (executor_crm_id, year)
);

create or replace function bridge_payout_notify() returns trigger
language plpgsql as $$
declare
    b text;
    n integer;
    delta integer := 0;
    y integer;
    total numeric(15, 2);
    pol income_policy%rowtype;
begin
    if new.status in ('PAID', 'FAILED') and new.status is distinct from old.status then
        perform bridge_notify(case when new.status = 'PAID' then 'payout.paid' else 'payout.failed' end,
            'PAYOUT', new.id, jsonb_build_object(
            'id', new.id, 'taskCrmId', new.task_crm_id, 'executorCrmId', new.executor_crm_id,
            'amount', jsonb_build_object('amount', new.amount::text, 'currency', 'RUB'),
            'status', new.status, 'failureCode', new.failure_code, 'failureMessage', new.failure_message,
            'receiptUrl', new.receipt_url, 'attempts', new.attempts, 'madetaskId', new.madetask_id,
            'paidAt', new.paid_at));
    end if;
    if new.status = 'PAID' and old.status is distinct from 'PAID'
            and exists (select 1 from executor e where e.crm_id = new.executor_crm_id
                        and e.tax_status = 'SELF_EMPLOYED') then
        select * into pol from income_policy;
        y := extract(year from coalesce(new.paid_at, now()) at time zone 'UTC');
        select coalesce(sum(amount), 0) into total from payout
        where executor_crm_id = new.executor_crm_id and status = 'PAID'
          and paid_at >= make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC')
          and paid_at < make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC');
        if total >= pol.yearly_limit * pol.warning_share then
            insert into income_notice (executor_crm_id, year, paid) values (new.executor_crm_id, y, total)
            on conflict do nothing;
            if found then
                perform bridge_notify('executor.income_limit_near', 'EXECUTOR', new.executor_crm_id,
                    jsonb_build_object('executorCrmId', new.executor_crm_id, 'year', y,
                        'paid', jsonb_build_object('amount', total::text, 'currency', 'RUB'),
                        'limit', jsonb_build_object('amount', pol.yearly_limit::text, 'currency', 'RUB'),
                        'headroom', jsonb_build_object('amount', greatest(pol.yearly_limit - total, 0)::text,
                                                       'currency', 'RUB'),
                        'share', round(total / pol.yearly_limit, 4)::text,
                        'payoutId', new.id));
            end if;
        end if;
    end if;
    if new.status is distinct from old.status then
        if old.status in ('PENDING', 'PROCESSING') and new.status in ('PAID', 'FAILED') then
            delta := -1;
        elsif old.status in ('PAID', 'FAILED') and new.status in ('PENDING', 'PROCESSING') then
            delta := 1;
        end if;
        if delta <> 0 then
            for b in select distinct batch_id from payout_batch_item where payout_id = new.id loop
                -- a retried payout reopens each finished batch it is in; its completion is announced again
                update payout_batch set open_items = open_items + delta,
                       status = case when delta > 0 then 'RUNNING' else status end,
                       finished_at = case when delta > 0 then null else finished_at end
                where id = b returning open_items into n;
                if delta < 0 and n <= 0 then
                    perform bridge_complete_batch(b);
                end if;
            end loop;
        end if;
    end if;
    return null;
end;
$$;

-- Whether a payout may go is the payout feature's own fact now, not a join into other features' tables:
--   task.accepted_in_madetask  the task feature's record that MadeTask has the task ACCEPTED (or PAID);
--   payout.task_madetask_id    MadeTask's id of the task, set when the task feature reports that acceptance. A payout
--                              without it waits; with it, it is due at next_attempt_at.
-- Both are set in the transaction that learns of the acceptance, which holds the task's row lock, so no payout can be
-- left waiting for an acceptance that already happened.
alter table task add column accepted_in_madetask boolean not null default false;
alter table payout add column task_madetask_id text;

update task t set accepted_in_madetask = true
where t.status in ('ACCEPTED', 'PAID') and t.madetask_id is not null
  and not exists (select 1 from sync_operation o where o.entity_type = 'TASK' and o.entity_id = t.crm_id
                  and o.kind = 'TRANSITION' and o.status = 'PENDING');

update payout p set task_madetask_id = t.madetask_id,
       next_attempt_at = case when p.next_attempt_at = 'infinity' then now() else p.next_attempt_at end
from task t
where t.crm_id = p.task_crm_id and t.accepted_in_madetask;

-- Claims scan only payouts that can go.
drop index if exists payout_due_idx;
create index payout_due_idx on payout (next_attempt_at, id) where status = 'PENDING' and task_madetask_id is not null;

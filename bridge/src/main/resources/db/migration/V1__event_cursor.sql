-- Where the bridge stands in MadeTask's event log: the id of the last event it applied. One row.
create table madetask_event_cursor (
    id            smallint primary key default 1 check (id = 1),
    last_event_id text,
    updated_at    timestamptz not null default now()
);

insert into madetask_event_cursor (id) values (1);

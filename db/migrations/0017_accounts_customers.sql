-- Customers, addresses, phones and parameters of an account as operations of their own (Pismo's
-- POST /accounts/v2/customers, PUT /accounts/v2/customers/{customerId}, the addresses and phones
-- of an account, account parameters): what 0011's tables lacked for them.

-- Pismo's customer `is_active` (informative: an inactive customer may still act; it cannot become
-- the owner). Customers opened before this migration are active.
alter table account_customers add column is_active boolean not null default true;

-- Pismo's address `active`: Get address answers 404 for an inactive one. Addresses an application
-- created are active.
alter table account_addresses add column active boolean not null default true;

-- One customer per document on an account (Pismo: 409 "Customer with accountId=(…) and
-- documentNumber=(…) exists"): the document, copied from the customer's entity.
alter table account_customers add column document_number text;
-- The back-fill reads every org's rows: system work, past row-level security (this transaction only).
select set_config('lastro.system', 'on', true);
update account_customers c set document_number = e.document_number
  from account_entities e where e.org_id = c.org_id and e.entity_id = c.entity_id;
alter table account_customers alter column document_number set not null;
create unique index account_customers_document on account_customers (org_id, account_id, document_number);

-- An account's parameter is set by Update parameter with only its id and value: its name and
-- description are known only when a program parameter names it.
alter table account_parameters alter column name drop not null;
alter table account_parameters add column description text;
